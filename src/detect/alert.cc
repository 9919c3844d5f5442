// Alerts and device facts: severities by name, the facts read from the
// inventory database, the `alert` events and the `alerts` table.
#include "detect/alert.h"

#include <sqlite3.h>

#include <stdexcept>

#include "inventory/inventory.h"

namespace ms::detect {

const char* severity_name(Severity s) {
  static const char* n[] = {"info", "low", "medium", "high", "critical"};
  return n[static_cast<int>(s)];
}

bool parse_severity(std::string_view s, Severity& out) {
  for (int i = 0; i < 5; ++i) {
    if (s == severity_name(static_cast<Severity>(i))) {
      out = static_cast<Severity>(i);
      return true;
    }
  }
  return false;
}

Facts load_facts(inv::Db& db) {
  Facts out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.handle(),
                         "SELECT id, mac, ips, type, manufacturer, model, os, medical, os_eol, mac_vendor FROM devices", -1, &st,
                         nullptr) != SQLITE_OK) {
    throw std::runtime_error(db.path() + ": " + sqlite3_errmsg(db.handle()));
  }
  auto col = [&](int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    DeviceFacts f;
    f.id = col(0);
    f.mac = col(1);
    std::string ips = col(2);
    f.type = col(3);
    f.manufacturer = col(4);
    f.model = col(5);
    f.os = col(6);
    f.medical = sqlite3_column_int(st, 7) != 0;
    f.os_eol = sqlite3_column_int(st, 8) != 0;
    f.mac_vendor = col(9);
    size_t i = 0;
    while (i < ips.size()) {
      size_t j = ips.find(' ', i);
      if (j == std::string::npos) j = ips.size();
      if (j > i) out[ips.substr(i, j - i)] = f;
      i = j + 1;
    }
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<Event> alert_events(const std::vector<Alert>& alerts) {
  std::vector<Event> out;
  for (const Alert& a : alerts) {
    Envelope env;
    env.ts = a.first;
    env.flow_id = a.flows.empty() ? 0 : a.flows.front().id;
    // The envelope's 5-tuple only when the alert is about one pair (a scan of
    // many hosts or a device's exposure has its sides inside the alert).
    if (!a.src_ip.empty() && !a.dest_ip.empty() && !a.flows.empty()) {
      env.src_ip = a.src_ip;
      env.dest_ip = a.dest_ip;
      env.proto = a.flows.front().proto;
    }
    EventBuilder b(env, "alert");
    b.w().key("alert").raw(a.json);
    out.push_back(b.finish());
  }
  return out;
}

void store_alerts(inv::Db& db, int64_t capture_id, const std::vector<Alert>& alerts, bool replace) {
  sqlite3* h = db.handle();
  db.exec("BEGIN IMMEDIATE");
  int rc = SQLITE_DONE;
  if (replace) {
    sqlite3_stmt* del = nullptr;
    sqlite3_prepare_v2(h, "DELETE FROM alerts WHERE capture=?", -1, &del, nullptr);
    sqlite3_bind_int64(del, 1, capture_id);
    rc = sqlite3_step(del);
    sqlite3_finalize(del);
  }
  sqlite3_stmt* ins = nullptr;
  if (rc != SQLITE_DONE ||
      sqlite3_prepare_v2(h,
                         "INSERT OR REPLACE INTO alerts(id, capture, signature_id, rule, severity, severity_rank, src_ip, "
                         "dest_ip, protocol, first_ns, last_ns, count, json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &ins, nullptr) != SQLITE_OK) {
    std::string msg = db.path() + ": cannot store alerts: " + sqlite3_errmsg(h);
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    throw std::runtime_error(msg);
  }
  for (const Alert& a : alerts) {
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, a.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 2, capture_id);
    sqlite3_bind_int(ins, 3, a.signature_id);
    sqlite3_bind_text(ins, 4, a.rule.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 5, severity_name(a.severity), -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 6, static_cast<int>(a.severity));
    sqlite3_bind_text(ins, 7, a.src_ip.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 8, a.dest_ip.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 9, a.protocol.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 10, a.first);
    sqlite3_bind_int64(ins, 11, a.last);
    sqlite3_bind_int64(ins, 12, static_cast<int64_t>(a.count));
    sqlite3_bind_text(ins, 13, a.json.c_str(), static_cast<int>(a.json.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      std::string msg = db.path() + ": cannot store alerts: " + sqlite3_errmsg(h);
      sqlite3_finalize(ins);
      sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
      throw std::runtime_error(msg);
    }
  }
  sqlite3_finalize(ins);
  db.exec("COMMIT");
}

void drop_suppressed_alerts(inv::Db& db, int64_t capture_id, const Config& cfg) {
  sqlite3* h = db.handle();
  std::vector<std::string> gone;
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(h, "SELECT id, rule, src_ip, dest_ip FROM alerts WHERE capture=?", -1, &q, nullptr) !=
      SQLITE_OK)
    throw std::runtime_error(db.path() + ": cannot read alerts: " + sqlite3_errmsg(h));
  sqlite3_bind_int64(q, 1, capture_id);
  auto col = [q](int i) {
    const unsigned char* t = sqlite3_column_text(q, i);
    return std::string(t ? reinterpret_cast<const char*>(t) : "");
  };
  while (sqlite3_step(q) == SQLITE_ROW) {
    std::string rule = col(1);
    if (!cfg.rule_enabled(rule) || cfg.allowed(rule, col(2), col(3))) gone.push_back(col(0));
  }
  sqlite3_finalize(q);
  if (gone.empty()) return;
  db.exec("BEGIN IMMEDIATE");
  sqlite3_stmt* del = nullptr;
  sqlite3_prepare_v2(h, "DELETE FROM alerts WHERE capture=? AND id=?", -1, &del, nullptr);
  for (const std::string& id : gone) {
    sqlite3_reset(del);
    sqlite3_bind_int64(del, 1, capture_id);
    sqlite3_bind_text(del, 2, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(del);
  }
  sqlite3_finalize(del);
  db.exec("COMMIT");
}

}  // namespace ms::detect
