// The writers: JSON lines and SQLite (event_writer.h).
#include "output/event_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ms {

namespace {
// SQLite commits at most every kCommitEvery (and every 20,000 rows):
// committing whenever the queue ran dry, after nearly every batch, cost a
// fifth of this thread. A crash loses at most that much of the database;
// events.jsonl is flushed whenever the queue runs dry.
constexpr auto kCommitEvery = std::chrono::milliseconds(250);
}  // namespace

EventWriter::EventWriter(const std::string& outdir) : outdir_(outdir) {
  std::string path = jsonl_path();
  jsonl_ = std::fopen(path.c_str(), "w");
  if (!jsonl_) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(jsonl_, nullptr, _IOFBF, 1 << 20);
  try {
    db_ = std::make_unique<SqliteWriter>(db_path());
  } catch (...) {
    std::fclose(jsonl_);
    jsonl_ = nullptr;
    throw;
  }
}

EventWriter::~EventWriter() {
  try {
    close();
  } catch (...) {  // the caller reported errors through close() already
  }
}

void EventWriter::set_meta(const std::string& key, const std::string& value) { meta_.emplace_back(key, value); }

void EventWriter::take(const std::vector<Event>& batch) { write_batch(batch); }

void EventWriter::write_batch(const std::vector<Event>& batch) {
  for (const Event& e : batch) {
    fwrite_unlocked(e.json.data(), 1, e.json.size(), jsonl_);  // only this thread writes
    fputc_unlocked('\n', jsonl_);
    jsonl_bytes_ += e.json.size() + 1;
    ++counts_[e.event_type];
  }
  written_ += batch.size();
  db_->write(batch);
  if (std::ferror(jsonl_)) throw std::runtime_error(jsonl_path() + ": write failed: " + std::strerror(errno));
}

void EventWriter::idle() {
  // Idle: hand the lines to the file system before waiting.
  if (std::fflush(jsonl_) != 0) throw std::runtime_error(jsonl_path() + ": " + std::strerror(errno));
  if (auto since = db_->open_since(); since && std::chrono::steady_clock::now() - *since >= kCommitEvery) {
    db_->flush();
  }
}

std::optional<std::chrono::steady_clock::time_point> EventWriter::deadline() const {
  auto open = db_->open_since();
  if (!open) return std::nullopt;
  return *open + kCommitEvery;
}

void EventWriter::on_deadline() { db_->flush(); }

std::string EventWriter::rotate(const std::string& tag) {
  if (std::fclose(jsonl_) != 0) {
    jsonl_ = nullptr;
    throw std::runtime_error(jsonl_path() + ": " + std::strerror(errno));
  }
  jsonl_ = nullptr;
  db_->close();
  db_.reset();
  std::string t = tag, jsonl, db;
  for (int n = 1; n < 1000; ++n) {  // two rotations within a second: TAG-2, TAG-3, ...
    jsonl = outdir_ + "/events-" + t + ".jsonl";
    db = outdir_ + "/medsentry-" + t + ".db";
    if (access(jsonl.c_str(), F_OK) != 0 && access(db.c_str(), F_OK) != 0) break;
    t = tag + "-" + std::to_string(n + 1);
  }
  if (std::rename(jsonl_path().c_str(), jsonl.c_str()) != 0 || std::rename(db_path().c_str(), db.c_str()) != 0) {
    throw std::runtime_error(jsonl + ": cannot rotate: " + std::strerror(errno));
  }
  std::string path = jsonl_path();
  jsonl_ = std::fopen(path.c_str(), "w");
  if (!jsonl_) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(jsonl_, nullptr, _IOFBF, 1 << 20);
  db_ = std::make_unique<SqliteWriter>(db_path());
  jsonl_bytes_ = 0;
  return jsonl;
}

void EventWriter::close() {
  if (!jsonl_) return;
  std::string error;
  try {
    for (const auto& [k, v] : meta_) db_->set_meta(k, v);
    db_->close();
  } catch (const std::exception& ex) {
    error = ex.what();
  }
  if (std::fclose(jsonl_) != 0 && error.empty()) error = jsonl_path() + ": " + std::strerror(errno);
  jsonl_ = nullptr;
  if (!error.empty()) throw std::runtime_error(error);
}

}  // namespace ms
