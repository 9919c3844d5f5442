// Live updates (server-sent events, WHATWG HTML 9.2): GET /api/events sends
// a `change` event with the inventory's counts when it connects and each
// time another connection (a running analysis) commits to the database, as
// SQLite's PRAGMA data_version tells; a comment every 5 s keeps proxies
// from closing it. A stream lasts an hour (EventSource reconnects), ends
// when the client goes or the server stops, and at most 16 run at once.
#include <chrono>
#include <thread>

#include "common/json_writer.h"
#include "console/routes.h"
#include "console/sql.h"

namespace ms::console {

namespace {

constexpr int kMaxStreams = 16;
constexpr auto kPoll = std::chrono::seconds(1);
constexpr auto kKeepAlive = std::chrono::seconds(5);  // also how soon a closed client is noticed
constexpr auto kLifetime = std::chrono::hours(1);

std::string change_event(sqlite3* db) {
  Stmt s(db, "SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM alerts), "
             "(SELECT coalesce(max(analysed_at), '') FROM captures)");
  s.step();
  std::string b;
  JsonWriter w(b);
  w.begin_object().kv("devices", s.i64(0)).kv("alerts", s.i64(1)).kv("last_analysed", s.text(2)).end_object();
  json_html_safe(b);
  return "event: change\ndata: " + b + "\n\n";
}

int64_t data_version(sqlite3* db) {
  Stmt s(db, "PRAGMA data_version");
  return s.step() ? s.i64(0) : -1;
}

}  // namespace

void api_events(Context& ctx, const Req&, Resp& res) {
  if (ctx.streams.fetch_add(1) >= kMaxStreams) {
    ctx.streams.fetch_sub(1);
    return res.error(503, "too many live connections");
  }
  res.type = "text/event-stream";
  Context* c = &ctx;
  res.stream = [c](const StreamWriter& write) {
    struct Release {
      Context* c;
      ~Release() { c->streams.fetch_sub(1); }
    } release{c};
    try {
      ReadDb db(c->db_path);
      auto start = std::chrono::steady_clock::now(), beat = start;
      int64_t seen = -2;
      while (!c->stopping->load() && std::chrono::steady_clock::now() - start < kLifetime) {
        int64_t v = data_version(db.handle());
        auto now = std::chrono::steady_clock::now();
        if (v != seen) {
          if (!write(change_event(db.handle()))) return;
          seen = v;
          beat = now;
        } else if (now - beat >= kKeepAlive) {
          if (!write(": keep-alive\n\n")) return;
          beat = now;
        }
        std::this_thread::sleep_for(kPoll);
      }
    } catch (const std::exception&) {
      // The database went away: the client reconnects and gets an error.
    }
  };
}

}  // namespace ms::console
