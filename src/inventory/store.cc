// The inventory's store: schema, capture registration, the observation
// upserts, the derivation's reads and the `devices` table (store.h).
#include "inventory/store.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include "common/private_dirs.h"
#include "common/types.h"
#include "dissectors/text.h"

namespace ms::inv {

namespace {

constexpr const char* kSchema = R"SQL(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS captures(
  id INTEGER PRIMARY KEY,
  key TEXT UNIQUE NOT NULL,
  files TEXT,
  analysed_at TEXT);
CREATE TABLE IF NOT EXISTS observations(
  capture INTEGER NOT NULL,
  device TEXT NOT NULL,
  attr TEXT NOT NULL,
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  confidence REAL NOT NULL,
  first_ns INTEGER NOT NULL,
  last_ns INTEGER NOT NULL,
  count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  flow_id INTEGER,
  PRIMARY KEY(capture, device, attr, value, source)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices(
  id TEXT PRIMARY KEY,
  mac TEXT, ip TEXT, ips TEXT, mac_vendor TEXT,
  manufacturer TEXT, model TEXT, version TEXT, serial TEXT,
  type TEXT, class TEXT, medical INTEGER, os TEXT, os_eol INTEGER,
  hostname TEXT, first_ns INTEGER, last_ns INTEGER,
  digest TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts(
  id TEXT PRIMARY KEY,
  capture INTEGER NOT NULL,
  signature_id INTEGER NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  src_ip TEXT, dest_ip TEXT, protocol TEXT,
  first_ns INTEGER NOT NULL,
  last_ns INTEGER NOT NULL,
  count INTEGER NOT NULL,
  json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_capture ON alerts(capture);
INSERT OR IGNORE INTO meta(key, value) VALUES('inventory_schema', '1');
)SQL";

constexpr size_t kRowsPerTransaction = 50000;

std::string sha256_hex(const std::string& data) { return text::digest_hex(EVP_sha256(), data); }

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string col_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s, i))) : "";
}

[[noreturn]] void fail(Db& db) { throw std::runtime_error(db.path() + ": " + sqlite3_errmsg(db.handle())); }

}  // namespace

std::string capture_key_of(const std::vector<std::string>& files) {
  std::string all;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw std::runtime_error(f + ": cannot read");
    in.seekg(0, std::ios::end);
    auto size = static_cast<uint64_t>(in.tellg());
    constexpr uint64_t kChunk = 1 << 20;
    std::string head(std::min(size, kChunk), '\0'), tail;
    in.seekg(0);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (size > kChunk) {
      tail.resize(std::min(size - kChunk, kChunk));
      in.seekg(static_cast<std::streamoff>(size - tail.size()));
      in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    }
    all += std::to_string(size) + ":" + sha256_hex(head) + ":" + sha256_hex(tail) + "\n";
  }
  return sha256_hex(all);
}

std::string default_db_path() {
  if (const char* e = std::getenv("MEDSENTRY_DB"); e && *e) return e;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/medsentry/inventory.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/medsentry/inventory.db";
}

// ---------------------------------------------------------------------------
// The connection

Db::Db(const std::string& path, bool create) : path_(path) {
  if (create) {
    // The parent directory, private: the inventory says where devices and
    // their weaknesses are.
    size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) make_private_dirs(path.substr(0, slash), " for the inventory");
  } else {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) throw std::runtime_error(path + ": no inventory database (run 'medsentry analyze' first)");
  }
  // NOMUTEX: the inventory thread, then the main thread once it has ended,
  // use the connection; never two at once.
  int flags = (create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = path + ": cannot open inventory database: " + sqlite3_errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
  sqlite3_busy_timeout(db_, 30000);  // another analysis may be writing
  char* err = nullptr;
  if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path + ": not an inventory database: " + (err ? err : "unreadable");
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
  if (create) {
    exec(kSchema);
    chmod(path.c_str(), 0600);
    return;
  }
  // Reading: an inventory, or nothing (a foreign database is never written).
  sqlite3_stmt* st = nullptr;
  bool ours = sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='inventory_schema'", -1, &st, nullptr) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  if (!ours) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": not an inventory database");
  }
}

Db::~Db() {
  if (db_) sqlite3_close(db_);
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : "sqlite error");
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

sqlite3_stmt* Db::prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) fail(*this);
  return st;
}

// ---------------------------------------------------------------------------
// Writing a run's observations

ObservationWriter::ObservationWriter(Db& db, const std::string& capture_key, const std::string& capture_files) : db_(db) {
  sqlite3* h = db.handle();
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h,
                     "INSERT INTO captures(key, files, analysed_at) VALUES(?,?,?) "
                     "ON CONFLICT(key) DO UPDATE SET analysed_at=excluded.analysed_at, files=excluded.files RETURNING id",
                     -1, &st, nullptr);
  bind_text(st, 1, capture_key);
  bind_text(st, 2, capture_files);
  bind_text(st, 3, now_iso());
  if (sqlite3_step(st) != SQLITE_ROW) {
    std::string msg = db.path() + ": " + sqlite3_errmsg(h);
    sqlite3_finalize(st);
    throw std::runtime_error(msg);
  }
  capture_id_ = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  // Idempotence: this capture's earlier observations are replaced.
  sqlite3_prepare_v2(h, "DELETE FROM observations WHERE capture=?", -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, capture_id_);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) fail(db);
  upsert_ = db.prepare(
      "INSERT INTO observations(capture, device, attr, value, source, confidence, first_ns, last_ns, "
      "count, bytes, flow_id) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(capture, device, attr, value, source) DO UPDATE SET "
      "confidence=max(confidence, excluded.confidence), "
      "flow_id=CASE WHEN excluded.first_ns < first_ns THEN excluded.flow_id ELSE flow_id END, "
      "first_ns=min(first_ns, excluded.first_ns), last_ns=max(last_ns, excluded.last_ns), "
      "count=count+excluded.count, bytes=bytes+excluded.bytes");
}

ObservationWriter::~ObservationWriter() {
  if (upsert_) sqlite3_finalize(upsert_);
}

void ObservationWriter::begin() {
  if (!in_tx_) {
    db_.exec("BEGIN");
    in_tx_ = true;
    tx_rows_ = 0;
  }
}

void ObservationWriter::commit() {
  if (in_tx_) {
    db_.exec("COMMIT");
    in_tx_ = false;
  }
}

void ObservationWriter::write(const std::string& device, std::string_view attr, std::string_view value,
                              std::string_view source, const Aggregate& g) {
  begin();
  sqlite3_reset(upsert_);
  sqlite3_bind_int64(upsert_, 1, capture_id_);
  bind_text(upsert_, 2, device);
  bind_text(upsert_, 3, attr);
  bind_text(upsert_, 4, value);
  bind_text(upsert_, 5, source);
  sqlite3_bind_double(upsert_, 6, round2(g.confidence));
  sqlite3_bind_int64(upsert_, 7, g.first);
  sqlite3_bind_int64(upsert_, 8, g.last);
  sqlite3_bind_int64(upsert_, 9, static_cast<int64_t>(g.count));
  sqlite3_bind_int64(upsert_, 10, static_cast<int64_t>(g.bytes));
  sqlite3_bind_int64(upsert_, 11, static_cast<int64_t>(g.flow_id));
  if (sqlite3_step(upsert_) != SQLITE_DONE) fail(db_);
  if (++tx_rows_ >= kRowsPerTransaction) {
    commit();
    begin();
  }
}

// ---------------------------------------------------------------------------
// Reading for the derivation

std::set<std::string> gateway_addresses(Db& db) {
  std::set<std::string> ips;
  sqlite3_stmt* st = db.prepare("SELECT DISTINCT device FROM observations WHERE attr='role' AND value='gateway'");
  while (sqlite3_step(st) == SQLITE_ROW) ips.insert(col_text(st, 0).substr(3));
  sqlite3_finalize(st);
  return ips;
}

std::map<std::string, std::vector<IpBinding>> ip_bindings(Db& db) {
  std::map<std::string, std::vector<IpBinding>> by_mac;
  sqlite3_stmt* st = db.prepare(
      "SELECT device, value, source, max(last_ns) FROM observations WHERE attr='ip' AND device LIKE 'mac:%' "
      "GROUP BY device, value, source");
  while (sqlite3_step(st) == SQLITE_ROW) {
    by_mac[col_text(st, 0)].push_back({col_text(st, 1), col_text(st, 2), sqlite3_column_int64(st, 3)});
  }
  sqlite3_finalize(st);
  return by_mac;
}

void write_address_owners(Db& db, const std::map<std::string, std::string>& mac_of_ip) {
  db.exec("DROP TABLE IF EXISTS temp.resolve; CREATE TEMP TABLE resolve(ip TEXT PRIMARY KEY, mac TEXT NOT NULL)");
  db.exec("BEGIN");
  sqlite3_stmt* st = db.prepare("INSERT INTO temp.resolve(ip, mac) VALUES(?,?)");
  for (const auto& [ip, mac] : mac_of_ip) {
    sqlite3_reset(st);
    bind_text(st, 1, "ip:" + ip);
    bind_text(st, 2, mac);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  db.exec("COMMIT");
}

void for_each_device(Db& db, const std::function<void(const std::string& key, const std::vector<ObservationRow>& rows)>& fn) {
  sqlite3_stmt* st = db.prepare(
      "SELECT coalesce(r.mac, o.device) AS k, o.attr, o.value, o.source, max(o.confidence), min(o.first_ns), "
      "max(o.last_ns), sum(o.count), sum(o.bytes), min(o.flow_id) "
      "FROM observations o LEFT JOIN temp.resolve r ON r.ip = o.device "
      "GROUP BY k, o.attr, o.value, o.source ORDER BY k");
  std::vector<ObservationRow> rows;
  std::string cur;
  auto flush = [&]() {
    if (!cur.empty()) fn(cur, rows);
    rows.clear();
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string k = col_text(st, 0);
    if (k != cur) {
      flush();
      cur = k;
    }
    ObservationRow r;
    r.attr = col_text(st, 1);
    r.value = col_text(st, 2);
    r.source = col_text(st, 3);
    r.conf = sqlite3_column_double(st, 4);
    r.first = sqlite3_column_int64(st, 5);
    r.last = sqlite3_column_int64(st, 6);
    r.count = static_cast<uint64_t>(sqlite3_column_int64(st, 7));
    r.bytes = static_cast<uint64_t>(sqlite3_column_int64(st, 8));
    r.flow_id = static_cast<uint64_t>(sqlite3_column_int64(st, 9));
    rows.push_back(std::move(r));
  }
  flush();
  sqlite3_finalize(st);
}

// ---------------------------------------------------------------------------
// The devices table

std::unordered_map<std::string, std::string> device_digests(Db& db) {
  std::unordered_map<std::string, std::string> digests;
  sqlite3_stmt* st = db.prepare("SELECT id, digest FROM devices");
  while (sqlite3_step(st) == SQLITE_ROW) digests[col_text(st, 0)] = col_text(st, 1);
  sqlite3_finalize(st);
  return digests;
}

DeviceTable::DeviceTable(Db& db) : db_(db) {
  db.exec("BEGIN");
  db.exec("DELETE FROM devices");
  insert_ = db.prepare(
      "INSERT INTO devices(id, mac, ip, ips, mac_vendor, manufacturer, model, version, serial, type, class, medical, os, "
      "os_eol, hostname, first_ns, last_ns, digest, record) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
}

DeviceTable::~DeviceTable() {
  if (insert_) sqlite3_finalize(insert_);
}

void DeviceTable::write(const DeviceRecord& d) {
  sqlite3_reset(insert_);
  bind_text(insert_, 1, d.id);
  bind_text(insert_, 2, d.mac);
  bind_text(insert_, 3, d.primary_ip);
  std::string ipl;
  for (const auto& ip : d.ips) ipl += (ipl.empty() ? "" : " ") + ip;
  bind_text(insert_, 4, ipl);
  bind_text(insert_, 5, d.mac_vendor);
  bind_text(insert_, 6, d.manufacturer);
  bind_text(insert_, 7, d.model);
  bind_text(insert_, 8, d.version);
  bind_text(insert_, 9, d.serial);
  bind_text(insert_, 10, d.type);
  bind_text(insert_, 11, d.cls);
  sqlite3_bind_int(insert_, 12, d.medical);
  bind_text(insert_, 13, d.os);
  sqlite3_bind_int(insert_, 14, d.os_eol);
  bind_text(insert_, 15, d.hostname);
  sqlite3_bind_int64(insert_, 16, d.first);
  sqlite3_bind_int64(insert_, 17, d.last);
  bind_text(insert_, 18, d.digest);
  bind_text(insert_, 19, d.record_json);
  if (sqlite3_step(insert_) != SQLITE_DONE) fail(db_);
}

void DeviceTable::commit() {
  sqlite3_finalize(insert_);
  insert_ = nullptr;
  db_.exec("COMMIT");
}

}  // namespace ms::inv
