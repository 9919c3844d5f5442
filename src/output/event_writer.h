// The writers: OUTDIR/events.jsonl and OUTDIR/medsentry.db, fed batch by
// batch on their own thread by the fan-out (app/fanout.h), flushed so that a
// failure or an interruption keeps everything written before it. They only
// write: the inventory and the detections are other consumers of the same
// batches, and their end-of-run events come through write_final().
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/batch.h"
#include "output/sqlite_writer.h"

namespace ms {

class EventWriter : public BatchConsumer {
 public:
  // Creates the files; throws std::runtime_error with a one-line message.
  explicit EventWriter(const std::string& outdir);
  ~EventWriter() override;

  // BatchConsumer: on the writer's thread while the run lasts.
  const char* thread_name() const override { return "ms-output"; }
  void take(const std::vector<Event>& batch) override;
  void idle() override;
  std::optional<std::chrono::steady_clock::time_point> deadline() const override;
  void on_deadline() override;

  // After the fan-out closed, from one thread: the events table's indexes
  // (may run beside the inventory's and the detections' end of run), then
  // the end-of-run events, the metadata, and close(). Each throws
  // std::runtime_error on a write failure.
  void build_indexes() { db_->build_indexes(); }
  void write_final(const std::vector<Event>& batch) { write_batch(batch); }
  void set_meta(const std::string& key, const std::string& value);
  void close();

  // The live monitor's rotation, on the writer's thread: the current files
  // become events-TAG.jsonl and medsentry-TAG.db (complete, indexed) and
  // new ones are started; the counts go on. Returns the finished JSON lines'
  // path. Throws on a file error.
  std::string rotate(const std::string& tag);
  // Bytes in the current events.jsonl.
  uint64_t jsonl_bytes() const { return jsonl_bytes_; }
  const std::string& outdir() const { return outdir_; }

  const std::map<std::string, uint64_t>& counts() const { return counts_; }
  uint64_t events_written() const { return written_; }
  std::string jsonl_path() const { return outdir_ + "/events.jsonl"; }
  std::string db_path() const { return outdir_ + "/medsentry.db"; }

 private:
  void write_batch(const std::vector<Event>& batch);

  std::string outdir_;
  FILE* jsonl_ = nullptr;
  std::unique_ptr<SqliteWriter> db_;
  std::map<std::string, uint64_t> counts_;
  std::vector<std::pair<std::string, std::string>> meta_;
  uint64_t written_ = 0;
  uint64_t jsonl_bytes_ = 0;
};

}  // namespace ms
