// The exposure tables (exposure_store.h).
#include "exposure/exposure_store.h"

#include <cstdio>
#include <stdexcept>

#include "common/json_reader.h"

namespace ms::exposure {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS exposure_sources(
  kind TEXT NOT NULL, id TEXT NOT NULL, path TEXT, title TEXT, date TEXT, body TEXT,
  PRIMARY KEY(kind, id));
CREATE TABLE IF NOT EXISTS exposures(
  device TEXT NOT NULL, advisory TEXT NOT NULL, cve TEXT, status TEXT NOT NULL,
  product_id TEXT, product TEXT, version_text TEXT, link_status TEXT, confidence REAL,
  cvss REAL, cvss_vector TEXT, evidence TEXT, remediation TEXT, justification TEXT, source TEXT, version_spec TEXT);
CREATE INDEX IF NOT EXISTS exposures_device ON exposures(device);
CREATE TABLE IF NOT EXISTS mds2_discrepancies(
  device TEXT NOT NULL, form TEXT NOT NULL, question TEXT NOT NULL, declared TEXT, observed TEXT,
  evidence TEXT, kind TEXT);
)";

std::string col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

// Not `bind`: with a non-const std::string argument, ADL would pick std::bind
// (a better match) and silently bind nothing.
void bind_text(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }

// Finalises on every path.
struct Stmt {
  sqlite3_stmt* s;
  explicit Stmt(sqlite3_stmt* x) : s(x) {}
  ~Stmt() { sqlite3_finalize(s); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  void done(inv::Db& db) {
    if (sqlite3_step(s) != SQLITE_DONE) throw std::runtime_error(db.path() + ": " + sqlite3_errmsg(db.handle()));
    sqlite3_reset(s);
  }
};

}  // namespace

void ensure_schema(inv::Db& db) { db.exec(kSchema); }

void save_source(inv::Db& db, const SourceDoc& d) {
  Stmt count(db.prepare("SELECT count(*) FROM exposure_sources"));
  if (sqlite3_step(count.s) == SQLITE_ROW && static_cast<size_t>(sqlite3_column_int64(count.s, 0)) >= kMaxSources)
    throw std::runtime_error(db.path() + ": more than " + std::to_string(kMaxSources) + " exposure sources stored");
  Stmt st(db.prepare("INSERT OR REPLACE INTO exposure_sources(kind, id, path, title, date, body) VALUES(?,?,?,?,?,?)"));
  bind_text(st.s, 1, d.kind);
  bind_text(st.s, 2, d.id);
  bind_text(st.s, 3, d.path);
  bind_text(st.s, 4, d.title);
  bind_text(st.s, 5, d.date);
  bind_text(st.s, 6, d.body);
  st.done(db);
}

std::vector<SourceDoc> load_sources(inv::Db& db, const std::string& kind) {
  std::vector<SourceDoc> out;
  Stmt st(db.prepare("SELECT id, kind, path, title, date, body FROM exposure_sources WHERE kind = ? ORDER BY id"));
  bind_text(st.s, 1, kind);
  while (sqlite3_step(st.s) == SQLITE_ROW && out.size() < kMaxSources)
    out.push_back({col(st.s, 0), col(st.s, 1), col(st.s, 2), col(st.s, 3), col(st.s, 4), col(st.s, 5)});
  return out;
}

namespace {

// "manufacturer: snmp.ent_mfg_name 0.90; model: ...; version: ...": the
// sources of the inventory's conclusions (its record's `conclusions`).
std::string observed_sources(const std::string& record) {
  JsonValue rec;
  if (record.empty() || parse_json(record, rec, 500'000)) return "";
  const JsonValue* c = rec.get("conclusions");
  std::string out;
  for (const char* field : {"manufacturer", "model", "version"}) {
    const JsonValue* f = c ? c->get(field) : nullptr;
    if (!f || f->type != JsonValue::kArray || f->items.empty()) continue;
    const JsonValue& best = f->items.front();
    const JsonValue* ev = best.get("evidence");
    std::string sources;
    if (ev && ev->type == JsonValue::kArray) {
      for (size_t i = 0; i < ev->items.size() && i < 3; ++i) sources += (i ? ", " : "") + std::string(json_str(&ev->items[i], "source"));
    }
    const JsonValue* conf = best.get("confidence");
    out += (out.empty() ? "" : "; ") + std::string(field) + " from " + sources + (conf ? " (confidence " + conf->text + ")" : "");
  }
  return out;
}

}  // namespace

std::vector<DeviceIdentity> read_devices(inv::Db& db) {
  std::vector<DeviceIdentity> out;
  Stmt st(db.prepare("SELECT id, manufacturer, model, version, mac_vendor, type, ip, hostname, record FROM devices ORDER BY id"));
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    out.push_back({col(st.s, 0), col(st.s, 1), col(st.s, 2), col(st.s, 3), col(st.s, 4), col(st.s, 5), col(st.s, 6),
                   col(st.s, 7), ""});
    if (!out.back().model.empty()) out.back().observed = observed_sources(col(st.s, 8));
  }
  return out;
}

void replace_links(inv::Db& db, const std::vector<Link>& links) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("DELETE FROM exposures");
    Stmt st(db.prepare(
        "INSERT INTO exposures(device, advisory, cve, status, product_id, product, version_text, link_status, confidence, "
        "cvss, cvss_vector, evidence, remediation, justification, source, version_spec) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    for (const Link& l : links) {
      std::string rem;
      for (const std::string& r : l.remediations) rem += (rem.empty() ? "" : "\n") + r;
      for (const VulnLink& v : l.vulns) {
        bind_text(st.s, 1, l.device);
        bind_text(st.s, 2, l.advisory);
        bind_text(st.s, 3, v.cve);
        bind_text(st.s, 4, status_name(v.status));
        bind_text(st.s, 5, l.product_id);
        bind_text(st.s, 6, l.product);
        bind_text(st.s, 7, l.version_text);
        bind_text(st.s, 8, status_name(l.status));
        sqlite3_bind_double(st.s, 9, l.confidence);
        sqlite3_bind_double(st.s, 10, v.cvss);
        bind_text(st.s, 11, v.cvss_vector);
        bind_text(st.s, 12, l.evidence);
        bind_text(st.s, 13, rem);
        bind_text(st.s, 14, v.justification);
        bind_text(st.s, 15, l.source);
        bind_text(st.s, 16, l.spec);
        st.done(db);
      }
    }
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

std::vector<Link> read_links(inv::Db& db) {
  std::vector<Link> out;
  Stmt st(db.prepare(
      "SELECT device, advisory, product_id, product, version_text, link_status, confidence, evidence, remediation, source, "
      "cve, status, cvss, cvss_vector, justification, version_spec FROM exposures ORDER BY rowid"));
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    std::string device = col(st.s, 0), advisory = col(st.s, 1), pid = col(st.s, 2);
    if (out.empty() || out.back().device != device || out.back().advisory != advisory || out.back().product_id != pid) {
      Link l;
      l.device = device;
      l.advisory = advisory;
      l.product_id = pid;
      l.product = col(st.s, 3);
      l.version_text = col(st.s, 4);
      std::string ls = col(st.s, 5);
      for (Status x : {Status::kAffected, Status::kPossiblyAffected, Status::kUnderInvestigation, Status::kFixed, Status::kNotAffected})
        if (ls == status_name(x)) l.status = x;
      l.confidence = sqlite3_column_double(st.s, 6);
      l.evidence = col(st.s, 7);
      std::string rem = col(st.s, 8);
      for (size_t i = 0; i < rem.size();) {
        size_t j = rem.find('\n', i);
        if (j == std::string::npos) j = rem.size();
        l.remediations.push_back(rem.substr(i, j - i));
        i = j + 1;
      }
      l.source = col(st.s, 9);
      l.spec = col(st.s, 15);
      out.push_back(std::move(l));
    }
    VulnLink v;
    v.cve = col(st.s, 10);
    std::string vs = col(st.s, 11);
    for (Status x : {Status::kAffected, Status::kPossiblyAffected, Status::kUnderInvestigation, Status::kFixed, Status::kNotAffected})
      if (vs == status_name(x)) v.status = x;
    v.cvss = sqlite3_column_double(st.s, 12);
    v.cvss_vector = col(st.s, 13);
    v.justification = col(st.s, 14);
    out.back().vulns.push_back(std::move(v));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> read_records(inv::Db& db) {
  std::vector<std::pair<std::string, std::string>> out;
  Stmt st(db.prepare("SELECT id, record FROM devices ORDER BY id"));
  while (sqlite3_step(st.s) == SQLITE_ROW) out.emplace_back(col(st.s, 0), col(st.s, 1));
  return out;
}

void replace_mds2(inv::Db& db, const std::vector<Mds2Discrepancy>& found) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("DELETE FROM mds2_discrepancies");
    Stmt st(db.prepare("INSERT INTO mds2_discrepancies(device, form, question, declared, observed, evidence, kind) VALUES(?,?,?,?,?,?,?)"));
    for (const Mds2Discrepancy& d : found) {
      const std::string* v[] = {&d.device, &d.form, &d.question, &d.declared, &d.observed, &d.evidence, &d.kind};
      for (int i = 0; i < 7; ++i) bind_text(st.s, i + 1, *v[i]);
      st.done(db);
    }
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

std::vector<Mds2Discrepancy> read_mds2(inv::Db& db) {
  std::vector<Mds2Discrepancy> out;
  Stmt st(db.prepare("SELECT device, form, question, declared, observed, evidence, kind FROM mds2_discrepancies ORDER BY rowid"));
  while (sqlite3_step(st.s) == SQLITE_ROW)
    out.push_back({col(st.s, 0), col(st.s, 1), col(st.s, 2), col(st.s, 3), col(st.s, 4), col(st.s, 5), col(st.s, 6)});
  return out;
}

}  // namespace ms::exposure
