// The web console and its JSON API (issue 20): `medsentry console` serves
// the inventory database (devices, observations, alerts) to a browser on
// loopback, and `medsentry user add` writes its accounts file. docs/console.md.
#pragma once

#include <string>

namespace ms::console {

struct ConsoleOptions {
  std::string db_path;     // empty: inv::default_db_path()
  std::string listen = "127.0.0.1:8080";
  std::string users_path;  // empty: default_users_path()
  // TLS: "auto" (on for any address but loopback), "on" or "off" (loopback
  // only). Without --tls-cert/--tls-key a self-signed certificate is made in
  // default_tls_dir() on first start (tls.h).
  std::string tls = "auto";
  std::string tls_cert, tls_key;
};

// $MEDSENTRY_CONSOLE_USERS, else ~/.config/medsentry/console-users.
std::string default_users_path();

// Serves until SIGINT/SIGTERM; prints one line "listening on http://ADDR:PORT".
int run_console(const ConsoleOptions& opt);

// The route table as JSON lines (method, path, kind, role): what the
// security tests walk, so a new route is tested without editing the test.
void print_routes();

// `medsentry user add NAME --role R`: the password is read from standard
// input (password_stdin) or generated and printed once. `user token NAME
// --role R` (api_token): an API token for scripts, printed once, read-only.
int run_user_add(const std::string& users_path, const std::string& name, const std::string& role, bool password_stdin,
                 bool api_token = false);

}  // namespace ms::console
