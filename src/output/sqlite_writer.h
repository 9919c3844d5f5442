// SQLite store of one analysis: every event (with its JSON line) and one row
// per flow event, written in batched transactions. A rollback journal keeps
// the file consistent if the process dies (committed batches survive, a torn
// batch is rolled back when the file is next opened). No fsync: an analysis
// can be re-run after a power loss, and fsync doubled the run time.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"

namespace ms {

class SqliteWriter {
 public:
  // Creates a fresh database at `path` (an existing one is replaced).
  // Throws std::runtime_error with a one-line message on failure.
  explicit SqliteWriter(const std::string& path);
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  void write(const std::vector<Event>& batch);
  void set_meta(const std::string& key, const std::string& value);
  // Commits what was written so far.
  void flush() { commit(); }
  // When the open transaction began (nullopt: none is open).
  std::optional<std::chrono::steady_clock::time_point> open_since() const {
    if (!in_tx_) return std::nullopt;
    return tx_started_;
  }
  // Commits and builds the indexes (rows written after are indexed as they
  // are inserted). close() builds them if this was not called.
  void build_indexes();
  // Commits, builds the indexes and closes the database.
  void close();

 private:
  void exec(const char* sql);
  void begin();
  void commit();

  sqlite3* db_ = nullptr;
  sqlite3_stmt* ins_event_ = nullptr;
  sqlite3_stmt* ins_flow_ = nullptr;
  sqlite3_stmt* ins_meta_ = nullptr;
  bool in_tx_ = false;
  size_t tx_rows_ = 0;
  std::chrono::steady_clock::time_point tx_started_;
};

}  // namespace ms
