// What the console writes: triage states with who and when, the audit log,
// and the evidence pcap cut by `medsentry evidence`'s code (routes.h).
// Its tables live in the inventory database beside the alerts, keyed by the
// alert id, which is stable across re-analyses (src/detect/alert.h).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "app/alerts_cmd.h"
#include "common/json_reader.h"
#include "common/json_writer.h"
#include "common/types.h"
#include "console/routes.h"
#include "console/sql.h"

namespace ms::console {

namespace {

constexpr size_t kMaxNote = 2000;
constexpr size_t kMaxEvidenceBytes = 256u << 20;
constexpr int64_t kMaxAudit = 100000;

// The console's tables, and the indexes its lists and the overview need
// (bench/console.py: 100,000 devices and 1,000,000 alerts).
constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS alert_triage(
  alert_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  note TEXT NOT NULL,
  by_user TEXT NOT NULL,
  at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alert_triage_log(
  alert_id TEXT NOT NULL,
  state TEXT NOT NULL,
  note TEXT NOT NULL,
  by_user TEXT NOT NULL,
  at TEXT NOT NULL,
  source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_triage_log_alert ON alert_triage_log(alert_id);
CREATE INDEX IF NOT EXISTS alert_triage_state ON alert_triage(state);
CREATE TABLE IF NOT EXISTS console_audit(
  at TEXT NOT NULL,
  user TEXT NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_rank_last ON alerts(severity_rank, last_ns);
CREATE INDEX IF NOT EXISTS alerts_last ON alerts(last_ns);
CREATE INDEX IF NOT EXISTS alerts_rule_rank ON alerts(rule, severity_rank, last_ns);
CREATE INDEX IF NOT EXISTS alerts_src ON alerts(src_ip);
CREATE INDEX IF NOT EXISTS alerts_dest ON alerts(dest_ip);
CREATE INDEX IF NOT EXISTS alerts_day ON alerts(first_ns / 86400000000000);
CREATE INDEX IF NOT EXISTS observations_device ON observations(device);
CREATE INDEX IF NOT EXISTS devices_last ON devices(last_ns, id);
CREATE INDEX IF NOT EXISTS devices_first ON devices(first_ns, id);
CREATE INDEX IF NOT EXISTS devices_type ON devices(type, id);
CREATE INDEX IF NOT EXISTS devices_manufacturer ON devices(manufacturer, id);
CREATE INDEX IF NOT EXISTS devices_ip ON devices(ip, id);
CREATE INDEX IF NOT EXISTS devices_hostname ON devices(hostname, id);
CREATE INDEX IF NOT EXISTS devices_class ON devices(class);
)SQL";

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "sqlite error";
    sqlite3_free(err);
    throw std::runtime_error(m);
  }
}

}  // namespace

void prepare_schema(Context& ctx) { exec(ctx.write_db, kSchema); }

void audit(Context& ctx, const std::string& user, const std::string& source, const std::string& action,
           const std::string& detail) {
  std::lock_guard<std::mutex> lock(ctx.write_mu);
  Stmt s(ctx.write_db, "INSERT INTO console_audit(at, user, source, action, detail) VALUES(?,?,?,?,?)");
  s.bind(now_iso()).bind(user).bind(source).bind(action).bind(detail);
  s.step();
  // Bounded: a login flood writes a row per attempt; the latest kMaxAudit stay.
  if (++ctx.audit_rows % 1000 == 0) {
    Stmt trim(ctx.write_db, "DELETE FROM console_audit WHERE rowid <= (SELECT max(rowid) FROM console_audit) - ?");
    trim.bind(kMaxAudit);
    trim.step();
  }
}

void api_triage(Context& ctx, const Req& req, Resp& res) {
  JsonValue v;
  if (parse_json(req.body, v) != nullptr || v.type != JsonValue::kObject) return res.error(400, "expected {\"state\", \"note\"}");
  std::string state(json_str(&v, "state")), note(json_str(&v, "note"));
  if (state != "new" && state != "acknowledged" && state != "resolved" && state != "false_positive") {
    return res.error(400, "state: new, acknowledged, resolved or false_positive");
  }
  if (note.size() > kMaxNote) return res.error(400, "note: at most 2000 bytes");
  const std::string& id = req.args[0];
  std::string at = now_iso();
  {
    std::lock_guard<std::mutex> lock(ctx.write_mu);
    Stmt exists(ctx.write_db, "SELECT 1 FROM alerts WHERE id = ?");
    exists.bind(id);
    if (!exists.step()) return res.error(404, "no such alert");
    exec(ctx.write_db, "BEGIN IMMEDIATE");
    try {
      Stmt up(ctx.write_db,
              "INSERT INTO alert_triage(alert_id, state, note, by_user, at) VALUES(?,?,?,?,?) ON CONFLICT(alert_id) DO UPDATE "
              "SET state=excluded.state, note=excluded.note, by_user=excluded.by_user, at=excluded.at");
      up.bind(id).bind(state).bind(note).bind(req.session.user).bind(at);
      up.step();
      Stmt log(ctx.write_db, "INSERT INTO alert_triage_log(alert_id, state, note, by_user, at, source) VALUES(?,?,?,?,?,?)");
      log.bind(id).bind(state).bind(note).bind(req.session.user).bind(at).bind(req.remote);
      log.step();
      exec(ctx.write_db, "COMMIT");
    } catch (...) {
      sqlite3_exec(ctx.write_db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  audit(ctx, req.session.user, req.remote, "triage", id + " " + state);
  std::string b;
  JsonWriter w(b);
  w.begin_object().kv("id", id).kv("state", state).kv("note", note).kv("by", req.session.user).kv("at", at).end_object();
  json_html_safe(b);
  res.json(200, std::move(b));
}

void api_evidence(Context& ctx, const Req& req, Resp& res) {
  const std::string& id = req.args[0];
  // The id names the output file and is looked up in the database: only
  // the hex ids the detections give.
  if (id.size() > 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return res.error(404, "no such alert");
  char dir[] = "/tmp/medsentry-console-XXXXXX";  // private (mkdtemp: 0700)
  if (!mkdtemp(dir)) return res.error(500, "no temporary directory");
  std::string out = std::string(dir) + "/alert.pcap";
  EvidenceOptions o;
  o.db_path = ctx.db_path;
  o.alert_id = id;
  o.out = out;
  int rc = run_evidence(o);
  std::string data;
  struct stat st;
  if (rc == 0 && stat(out.c_str(), &st) == 0 && static_cast<size_t>(st.st_size) <= kMaxEvidenceBytes) {
    std::ifstream in(out, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }
  unlink(out.c_str());
  rmdir(dir);
  if (data.empty()) {
    return res.error(rc == 0 ? 413 : 422, rc == 0 ? "evidence larger than 256 MiB: use medsentry evidence"
                                                   : "no evidence: the alert names no flows or its captures are gone");
  }
  audit(ctx, req.session.user, req.remote, "evidence", id);
  res.status = 200;
  res.body = std::move(data);
  res.type = "application/vnd.tcpdump.pcap";
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"alert-" + id + ".pcap\"");
}

void api_audit(Context& ctx, const Req& req, Resp& res) {
  ReadDb db(ctx.db_path);
  Stmt s(db.handle(), "SELECT at, user, source, action, detail FROM console_audit ORDER BY rowid DESC LIMIT 200");
  std::string b;
  JsonWriter w(b);
  w.begin_object().key("entries").begin_array();
  while (s.step()) {
    w.begin_object().kv("at", s.text(0)).kv("user", s.text(1)).kv("source", s.text(2)).kv("action", s.text(3));
    w.kv("detail", s.text(4)).end_object();
  }
  w.end_array().end_object();
  json_html_safe(b);
  res.json(200, std::move(b));
}

}  // namespace ms::console
