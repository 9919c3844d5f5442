// The console's routes: one table (routes.cc) that the server dispatches
// from, `--list-routes` prints and the security tests walk. Each route says
// who may call it; the dispatcher checks the session, the role and, for a
// state change, the CSRF token before any handler runs.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "console/auth.h"

namespace ms::console {

// What a handler sees of a request (the server copies it out of httplib).
struct Req {
  std::string method, path, remote, body, content_type, cookie_token;
  std::multimap<std::string, std::string> query;
  std::vector<std::string> args;  // the {placeholders} of the route, in order
  Session session;                // valid when the route needs one
  std::string param(const std::string& k) const {
    auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  }
};

// A streamed answer (server-sent events): called once on a worker thread,
// writes until it returns; `write` is false once the client is gone.
using StreamWriter = std::function<bool(std::string_view)>;
using Stream = std::function<void(const StreamWriter& write)>;

struct Resp {
  int status = 200;
  std::string body, type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  Stream stream;  // set: the body is streamed instead
  void json(int st, std::string b) {
    status = st;
    body = std::move(b);
    type = "application/json";
  }
  void error(int st, const std::string& msg);
};

// What every handler shares: the database path, a write connection for the
// console's own tables (triage, audit) behind a mutex, accounts, sessions.
struct Context {
  std::string db_path;
  Users users;
  Sessions sessions;
  Throttle throttle;
  std::mutex write_mu;
  sqlite3* write_db = nullptr;
  bool tls = false;  // cookies get Secure; the origin is https://
  bool loopback_only = false;  // the Host header must name loopback
  const std::atomic<bool>* stopping = nullptr;  // the server is stopping: streams end
  std::atomic<int> streams{0};                  // live event streams (capped)
  uint64_t audit_rows = 0;                      // written since start (under write_mu)
};

enum class Kind { kPage, kApi, kStatic, kPublicPage, kPublicApi };

using Handler = void (*)(Context&, const Req&, Resp&);

struct Route {
  const char* method;
  const char* pattern;  // segments; "{x}" matches one non-empty segment
  Kind kind;
  Role role;            // the least role allowed (kNone for public routes)
  Handler handler;
};

const std::vector<Route>& routes();
// The route for a method and path, its placeholders in args; nullptr when
// none matches (method_known: some route has that path with another method).
const Route* match(const std::string& method, const std::string& path, std::vector<std::string>& args, bool& path_known);

// Handlers (api.cc, triage.cc, pages.cc).
void api_login(Context&, const Req&, Resp&);
void api_logout(Context&, const Req&, Resp&);
void api_session(Context&, const Req&, Resp&);
void api_overview(Context&, const Req&, Resp&);
void api_devices(Context&, const Req&, Resp&);
void api_device(Context&, const Req&, Resp&);
void api_devices_csv(Context&, const Req&, Resp&);
void api_alerts(Context&, const Req&, Resp&);
void api_alert(Context&, const Req&, Resp&);
void api_triage(Context&, const Req&, Resp&);
void api_evidence(Context&, const Req&, Resp&);
void api_audit(Context&, const Req&, Resp&);
void api_events(Context&, const Req&, Resp&);
void api_phi_flows(Context&, const Req&, Resp&);
void api_openapi(Context&, const Req&, Resp&);
void api_report_html(Context&, const Req&, Resp&);  // report.cc
void api_report_pdf(Context&, const Req&, Resp&);
void page_shell(Context&, const Req&, Resp&);
void page_login(Context&, const Req&, Resp&);
void static_file(Context&, const Req&, Resp&);

// The console's own tables and the indexes its lists need (triage.cc).
void prepare_schema(Context& ctx);
// One line of the audit log (logins, logouts, triage changes).
void audit(Context& ctx, const std::string& user, const std::string& source, const std::string& action,
           const std::string& detail);

// Text for HTML (& < > " ' escaped) and JSON made safe inside HTML too
// (every < > & in strings as \u003c \u003e \u0026).
std::string html_escape(std::string_view s);
void json_html_safe(std::string& json);

}  // namespace ms::console
