// The HTTP server (cpp-httplib, Debian's libcpp-httplib-dev): every request
// goes through dispatch(), which finds the route in the table (routes.cc),
// checks session, role, CSRF and origin, runs the handler and adds the
// security headers. Also `medsentry user add`. docs/console.md.
#include <httplib.h>
#include <openssl/crypto.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "common/cidr.h"
#include "common/private_dirs.h"
#include "console/console.h"
#include "console/routes.h"
#include "console/tls.h"
#include "inventory/store.h"

namespace ms::console {

namespace {

constexpr size_t kMaxBody = 64 * 1024;
constexpr size_t kMaxQueryParams = 32;
std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

std::string session_cookie(const httplib::Request& hr) {
  std::string c = hr.get_header_value("Cookie");
  for (size_t i = c.find("ms_session="); i != std::string::npos; i = c.find("ms_session=", i + 1)) {
    if (i == 0 || c[i - 1] == ' ' || c[i - 1] == ';') {
      size_t s = i + 11, e = c.find(';', s);
      return c.substr(s, e == std::string::npos ? std::string::npos : e - s);
    }
  }
  return "";
}

bool same_string(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void security_headers(Resp& res) {
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  res.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

// localhost, an address of 127.0.0.0/8, or ::1 (RFC 1122 3.2.1.3, RFC 4291 2.5.3).
bool is_loopback(const std::string& h) {
  if (h == "localhost") return true;
  uint8_t a[16];
  bool v4 = false;
  if (!parse_ip(h, a, v4)) return false;
  if (v4) return a[0] == 127;
  static const uint8_t kOne[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::memcmp(a, kOne, 16) == 0;
}

// On loopback the Host must name loopback: a page whose DNS name an attacker
// re-points at 127.0.0.1 ("DNS rebinding") sends its own name and is refused.
bool host_allowed(const Context& ctx, const std::string& host) {
  if (!ctx.loopback_only) return true;
  std::string h = host;
  if (!h.empty() && h[0] == '[') {
    h = h.substr(1, h.find(']') == std::string::npos ? std::string::npos : h.find(']') - 1);
  } else if (size_t c = h.rfind(':'); c != std::string::npos && h.find(':') == c) {
    h = h.substr(0, c);
  }
  return is_loopback(h);
}

// Who may call the route; false with the answer filled in when refused.
bool authorize(Context& ctx, const Route& r, const httplib::Request& hr, Req& req, Resp& res) {
  if (!host_allowed(ctx, hr.get_header_value("Host"))) {
    res.error(403, "this console answers to its loopback address only");
    return false;
  }
  bool post = req.method == "POST";
  if (post) {
    // A cross-site form cannot send JSON without a CORS preflight, which
    // this server never grants; a browser's Origin must be this server.
    std::string origin = hr.get_header_value("Origin");
    if (req.content_type.rfind("application/json", 0) != 0) {
      res.error(403, "state changes take application/json");
      return false;
    }
    if (!origin.empty() && origin != (ctx.tls ? "https://" : "http://") + hr.get_header_value("Host")) {
      res.error(403, "cross-origin request");
      return false;
    }
  }
  if (r.kind == Kind::kPublicApi || r.kind == Kind::kPublicPage || r.kind == Kind::kStatic) return true;
  auto s = ctx.sessions.find(req.cookie_token);
  // An API token (scripts, a SIEM): the API only, and reading only, so it
  // needs no CSRF token (no browser sends it on its own).
  std::string auth = hr.get_header_value("Authorization");
  if (!s && r.kind == Kind::kApi && auth.rfind("Bearer ", 0) == 0) {
    if (auto t = ctx.users.token(auth.substr(7))) {
      if (post) {
        res.error(403, "API tokens only read");
        return false;
      }
      s = Session{t->name, "", t->role, {}, {}};
    }
  }
  if (!s) {
    if (r.kind == Kind::kPage) {
      res.status = 302;
      res.headers.emplace_back("Location", "/login");
      res.type = "text/plain";
      res.body = "login required\n";
    } else {
      res.error(401, "login required");
    }
    return false;
  }
  req.session = *s;
  if (static_cast<int>(s->role) < static_cast<int>(r.role)) {
    res.error(403, std::string("needs the role ") + role_name(r.role));
    return false;
  }
  if (post && !same_string(hr.get_header_value("X-CSRF-Token"), s->csrf)) {
    res.error(403, "missing or wrong CSRF token");
    return false;
  }
  return true;
}

void dispatch(Context& ctx, const httplib::Request& hr, httplib::Response& hres) {
  auto t0 = std::chrono::steady_clock::now();
  Req req;
  req.method = hr.method;
  req.path = hr.path;
  req.remote = hr.remote_addr;
  req.body = hr.body;
  req.content_type = hr.get_header_value("Content-Type");
  req.cookie_token = session_cookie(hr);
  for (const auto& [k, v] : hr.params) {
    if (req.query.size() < kMaxQueryParams && !req.query.count(k)) req.query.emplace(k, v);
  }
  Resp res;
  bool known = false;
  const Route* r = match(req.method, req.path, req.args, known);
  if (!r) {
    res.error(known ? 405 : 404, known ? "method not allowed" : "not found");
  } else if (authorize(ctx, *r, hr, req, res)) {
    try {
      r->handler(ctx, req, res);
    } catch (const std::exception& e) {
      std::cerr << "medsentry console: " << req.method << " " << req.path << ": " << e.what() << "\n";
      res.error(500, "internal error (see the console's log)");
    }
  }
  security_headers(res);
  if (r && r->kind != Kind::kStatic) res.headers.emplace_back("Cache-Control", "no-store");
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  res.headers.emplace_back("Server-Timing", "app;dur=" + std::to_string(ms));
  for (auto& [k, v] : res.headers) hres.set_header(k.c_str(), v);
  hres.status = res.status;
  if (res.stream) {
    Stream stream = std::move(res.stream);
    hres.set_chunked_content_provider(res.type.c_str(), [stream](size_t, httplib::DataSink& sink) {
      stream([&sink](std::string_view d) { return sink.is_writable() && sink.write(d.data(), d.size()); });
      sink.done();
      return true;
    });
    return;
  }
  hres.set_content(res.body, res.type.c_str());
}

// "ADDR:PORT"; false with a message otherwise.
bool parse_listen(const std::string& s, std::string& host, int& port, bool& loopback, std::string& err) {
  size_t c = s.rfind(':');
  if (c == std::string::npos || c == 0) {
    err = "--listen: '" + s + "' is not ADDR:PORT";
    return false;
  }
  host = s.substr(0, c);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string p = s.substr(c + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > 65535) {
    err = "--listen: '" + p + "' is not a port";
    return false;
  }
  port = std::stoi(p);
  loopback = is_loopback(host);
  if (host == "localhost") host = "127.0.0.1";
  return true;
}

// The HTTP or HTTPS server; nullptr with a message when TLS cannot start.
std::unique_ptr<httplib::Server> make_server(const ConsoleOptions& opt, bool tls, std::string& fingerprint) {
  if (!tls) return std::make_unique<httplib::Server>();
  std::string cert = opt.tls_cert, key = opt.tls_key;
  if (cert.empty() != key.empty()) throw std::runtime_error("--tls-cert and --tls-key go together");
  if (cert.empty()) {
    cert = default_tls_dir() + "/console-cert.pem";
    key = default_tls_dir() + "/console-key.pem";
    ensure_certificate(cert, key);
  }
  fingerprint = certificate_fingerprint(cert);
  auto svr = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  if (!svr->is_valid()) throw std::runtime_error(cert + ", " + key + ": not a usable certificate and key");
  return svr;
}

}  // namespace

std::string default_users_path() {
  if (const char* e = std::getenv("MEDSENTRY_CONSOLE_USERS"); e && *e) return e;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/medsentry/console-users";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/medsentry/console-users";
}

int run_console(const ConsoleOptions& opt) {
  Context ctx;
  std::string host, err, fingerprint;
  int port = 0;
  bool loopback = false;
  if (!parse_listen(opt.listen, host, port, loopback, err)) {
    std::cerr << "medsentry: error: " << err << "\n";
    return 2;
  }
  // Beyond loopback, sessions and passwords cross a network: TLS, always.
  if (!loopback && opt.tls == "off") {
    std::cerr << "medsentry: error: --no-tls serves loopback only; " << host << " is not loopback\n";
    return 2;
  }
  ctx.tls = opt.tls == "on" || (opt.tls == "auto" && (!loopback || !opt.tls_cert.empty()));
  ctx.loopback_only = loopback;
  std::unique_ptr<httplib::Server> server;
  ctx.db_path = opt.db_path.empty() ? inv::default_db_path() : opt.db_path;
  std::string users = opt.users_path.empty() ? default_users_path() : opt.users_path;
  try {
    ctx.users.load(users);
    { inv::Db check(ctx.db_path, false); }  // an inventory, or one clear line
    if (sqlite3_open_v2(ctx.db_path.c_str(), &ctx.write_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
      throw std::runtime_error(ctx.db_path + ": " + sqlite3_errmsg(ctx.write_db));
    }
    sqlite3_busy_timeout(ctx.write_db, 30000);
    prepare_schema(ctx);
    server = make_server(opt, ctx.tls, fingerprint);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    if (ctx.write_db) sqlite3_close(ctx.write_db);
    return 1;
  }
  httplib::Server& svr = *server;
  // Event streams hold a worker each (at most Context's cap of 16): the
  // pool leaves room for the ordinary requests.
  svr.new_task_queue = [] { return new httplib::ThreadPool(32); };
  ctx.stopping = &g_stop;
  svr.set_payload_max_length(kMaxBody);
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(30, 0);
  auto h = [&ctx](const httplib::Request& q, httplib::Response& r) { dispatch(ctx, q, r); };
  svr.Get(".*", h);
  svr.Post(".*", h);
  svr.Put(".*", h);
  svr.Delete(".*", h);
  svr.Patch(".*", h);
  svr.Options(".*", h);
  int bound = port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "medsentry: error: cannot listen on " << opt.listen << "\n";
    sqlite3_close(ctx.write_db);
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::thread watcher([&svr]() {
    while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    svr.stop();
  });
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!fingerprint.empty()) std::cout << "medsentry console: certificate SHA-256 " << fingerprint << "\n";
  std::cout << "medsentry console: listening on " << (ctx.tls ? "https://" : "http://") << shown << ":" << bound << " (" << ctx.users.size()
            << " accounts, database " << ctx.db_path << ")" << std::endl;
  svr.listen_after_bind();
  g_stop.store(true);
  watcher.join();
  sqlite3_close(ctx.write_db);
  return 0;
}

int run_user_add(const std::string& users_path, const std::string& name, const std::string& role_s, bool password_stdin,
                 bool api_token) {
  std::string path = users_path.empty() ? default_users_path() : users_path;
  Role role = parse_role(role_s);
  if (!valid_user_name(name)) {
    std::cerr << "medsentry: error: user name: 1 to 64 of A-Z a-z 0-9 . _ -\n";
    return 2;
  }
  if (role == Role::kNone) {
    std::cerr << "medsentry: error: --role: viewer, analyst or admin\n";
    return 2;
  }
  std::string pw, token;
  if (api_token) {
    // No password: the token is the secret.
  } else if (password_stdin) {
    std::getline(std::cin, pw);
    if (pw.size() < 12 || pw.size() > 1024) {
      std::cerr << "medsentry: error: the password must have 12 to 1024 characters\n";
      return 2;
    }
  } else {
    pw = random_hex(12);
  }
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind(name + ":", 0) != 0) lines.push_back(l);
    }
  }
  try {
    lines.push_back(api_token ? token_line(name, role, token) : user_line(name, role, pw));
    size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) make_private_dirs(path.substr(0, slash), " for the console's accounts");
    std::string tmp = path + ".tmp";
    {
      // Created 0600 before a byte is written: the hashes are never readable by others.
      unlink(tmp.c_str());
      int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (fd < 0) throw std::runtime_error(tmp + ": cannot create");
      close(fd);
      std::ofstream out(tmp, std::ios::trunc);
      for (const auto& l : lines) out << l << "\n";
      if (!out) throw std::runtime_error(tmp + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot replace");
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  if (api_token) {
    std::cout << "API token " << name << " (shown once): " << token << "\n";
  } else if (!password_stdin) {
    std::cout << "password for " << name << " (shown once): " << pw << "\n";
  }
  std::cerr << "medsentry: " << name << " (" << role_name(role) << ") written to " << path << "\n";
  return 0;
}

}  // namespace ms::console
