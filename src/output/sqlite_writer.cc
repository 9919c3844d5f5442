// SQLite output; the table layout is documented in schema/sqlite.sql.
#include "output/sqlite_writer.h"

#include <unistd.h>

#include <stdexcept>
#include <string_view>

namespace ms {

namespace {

// Flow events are stored once, in `flows` (columns and the JSON line); every
// other event goes to `event_log`. The view `events` is the union of both:
// the same events as events.jsonl, one row each. Pages of 16 KiB: rows are
// JSON lines of about 500 bytes appended in order, and fewer, larger pages cut
// the inserts' B-tree work (2-6% of a run's CPU on the bench capture).
constexpr const char* kSchema = R"SQL(
PRAGMA page_size=16384;
PRAGMA journal_mode=TRUNCATE;
PRAGMA synchronous=OFF;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE event_log(
  id INTEGER PRIMARY KEY,
  timestamp TEXT NOT NULL,
  ts_ns INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  flow_id INTEGER,
  src_ip TEXT, src_port INTEGER, dest_ip TEXT, dest_port INTEGER, proto TEXT,
  json TEXT NOT NULL);
CREATE TABLE flows(
  id INTEGER PRIMARY KEY,
  flow_id INTEGER NOT NULL,
  src_ip TEXT, src_port INTEGER, dest_ip TEXT, dest_port INTEGER, proto TEXT,
  vlan TEXT, app_proto TEXT,
  start TEXT, end TEXT, start_ns INTEGER, end_ns INTEGER,
  pkts_toserver INTEGER, pkts_toclient INTEGER,
  bytes_toserver INTEGER, bytes_toclient INTEGER,
  state TEXT, reason TEXT,
  json TEXT NOT NULL);
CREATE VIEW events AS
  SELECT timestamp, ts_ns, event_type, flow_id, src_ip, src_port, dest_ip, dest_port, proto, json
    FROM event_log
  UNION ALL
  SELECT start, start_ns, 'flow', flow_id, src_ip, src_port, dest_ip, dest_port, proto, json
    FROM flows;
)SQL";

constexpr const char* kIndexes = R"SQL(
CREATE INDEX IF NOT EXISTS event_log_type ON event_log(event_type);
CREATE INDEX IF NOT EXISTS event_log_flow ON event_log(flow_id);
CREATE INDEX IF NOT EXISTS flows_flow ON flows(flow_id);
)SQL";

constexpr size_t kRowsPerTransaction = 20000;

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  if (v.empty()) {
    sqlite3_bind_null(s, i);
  } else {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
}

}  // namespace

SqliteWriter::SqliteWriter(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) unlink((path + suffix).c_str());
  // NOMUTEX: one thread at a time uses this connection (the output thread,
  // then the index builder after it), so SQLite's per-call locking is waste.
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = path + ": cannot create database: " + sqlite3_errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
  exec(kSchema);
  auto prep = [this](const char* sql, sqlite3_stmt** st) {
    if (sqlite3_prepare_v2(db_, sql, -1, st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
  };
  prep("INSERT INTO event_log(timestamp, ts_ns, event_type, flow_id, src_ip, src_port, dest_ip, "
       "dest_port, proto, json) VALUES(?,?,?,?,?,?,?,?,?,?)",
       &ins_event_);
  prep("INSERT INTO flows(flow_id, src_ip, src_port, dest_ip, dest_port, proto, vlan, app_proto, "
       "start, end, start_ns, end_ns, pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient, "
       "state, reason, json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
       &ins_flow_);
  prep("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", &ins_meta_);
}

SqliteWriter::~SqliteWriter() {
  try {
    close();
  } catch (...) {
  }
}

void SqliteWriter::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = std::string("sqlite: ") + (err ? err : "error");
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

void SqliteWriter::begin() {
  if (!in_tx_) {
    exec("BEGIN");
    in_tx_ = true;
    tx_rows_ = 0;
    tx_started_ = std::chrono::steady_clock::now();
  }
}

void SqliteWriter::commit() {
  if (in_tx_) {
    exec("COMMIT");
    in_tx_ = false;
  }
}

void SqliteWriter::write(const std::vector<Event>& batch) {
  begin();
  for (const Event& e : batch) {
    sqlite3_stmt* s;
    // Bound as SQLITE_STATIC: these must live until sqlite3_step below.
    char start[kTimeTextMax], end[kTimeTextMax], ts[kTimeTextMax];
    if (e.flow) {
      const FlowRow& r = *e.flow;
      s = ins_flow_;
      sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(r.flow_id));
      bind_text(s, 2, r.src_ip);
      sqlite3_bind_int(s, 3, r.src_port);
      bind_text(s, 4, r.dest_ip);
      sqlite3_bind_int(s, 5, r.dest_port);
      bind_text(s, 6, r.proto);
      bind_text(s, 7, r.vlan);
      bind_text(s, 8, r.app_proto);
      bind_text(s, 9, std::string_view(start, format_time_to(start, r.start)));
      bind_text(s, 10, std::string_view(end, format_time_to(end, r.end)));
      sqlite3_bind_int64(s, 11, r.start);
      sqlite3_bind_int64(s, 12, r.end);
      sqlite3_bind_int64(s, 13, static_cast<sqlite3_int64>(r.pkts_toserver));
      sqlite3_bind_int64(s, 14, static_cast<sqlite3_int64>(r.pkts_toclient));
      sqlite3_bind_int64(s, 15, static_cast<sqlite3_int64>(r.bytes_toserver));
      sqlite3_bind_int64(s, 16, static_cast<sqlite3_int64>(r.bytes_toclient));
      bind_text(s, 17, r.state);
      bind_text(s, 18, r.reason);
      bind_text(s, 19, e.json);
    } else {
      s = ins_event_;
      bind_text(s, 1, std::string_view(ts, format_time_to(ts, e.ts)));
      sqlite3_bind_int64(s, 2, e.ts);
      bind_text(s, 3, e.event_type);
      if (e.flow_id) sqlite3_bind_int64(s, 4, static_cast<sqlite3_int64>(e.flow_id)); else sqlite3_bind_null(s, 4);
      bind_text(s, 5, e.src_ip);
      if (e.src_ip.empty()) sqlite3_bind_null(s, 6); else sqlite3_bind_int(s, 6, e.src_port);
      bind_text(s, 7, e.dest_ip);
      if (e.dest_ip.empty()) sqlite3_bind_null(s, 8); else sqlite3_bind_int(s, 8, e.dest_port);
      bind_text(s, 9, e.proto);
      bind_text(s, 10, e.json);
    }
    if (sqlite3_step(s) != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    sqlite3_reset(s);
    ++tx_rows_;
  }
  if (tx_rows_ >= kRowsPerTransaction) commit();
}

void SqliteWriter::set_meta(const std::string& key, const std::string& value) {
  begin();
  bind_text(ins_meta_, 1, key);
  bind_text(ins_meta_, 2, value);
  sqlite3_step(ins_meta_);
  sqlite3_reset(ins_meta_);
}

void SqliteWriter::build_indexes() {
  commit();
  exec(kIndexes);
}

void SqliteWriter::close() {
  if (!db_) return;
  build_indexes();  // IF NOT EXISTS: free when the output thread built them already
  exec("PRAGMA journal_mode=DELETE");  // leaves no empty -journal file behind
  sqlite3_finalize(ins_event_);
  sqlite3_finalize(ins_flow_);
  sqlite3_finalize(ins_meta_);
  sqlite3_close(db_);
  db_ = nullptr;
}

}  // namespace ms
