// The output stage: one thread that takes event batches from every worker
// and writes them to OUTDIR/events.jsonl and OUTDIR/medsentry.db.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/bounded_queue.h"
#include "events/event.h"
#include "detect/engine.h"
#include "inventory/inventory.h"
#include "output/sqlite_writer.h"

namespace ms {

class OutputThread {
 public:
  // Creates the files; throws std::runtime_error with a one-line message.
  // `inventory` and `detect` (either may be null) see every event on the
  // correlation thread; at the end the inventory adds its `device` events,
  // then the detections judge with the inventory's facts and add `alert`s.
  explicit OutputThread(const std::string& outdir, std::unique_ptr<inv::Inventory> inventory = nullptr,
                        std::unique_ptr<detect::Engine> detect = nullptr);
  ~OutputThread();

  void push(std::vector<Event>&& batch) { q_.push(std::move(batch)); }
  void set_meta(const std::string& key, const std::string& value);
  // Drains the queue, finishes the inventory (its device events), writes the
  // events `last` returns (the stats event closes events.jsonl), closes the
  // files. Returns false and fills `error` if a write failed (the output
  // written before the failure is kept).
  bool finish(std::string& error, const std::function<std::vector<Event>()>& last = {});
  // Valid after finish(); null without an inventory.
  const inv::Stats* inventory_stats() const { return inventory_ ? &inventory_->stats() : nullptr; }
  const detect::Stats* detect_stats() const { return detect_ ? &detect_->stats() : nullptr; }

  // Valid after finish().
  const std::map<std::string, uint64_t>& counts() const { return counts_; }
  uint64_t events_written() const { return written_; }
  std::string jsonl_path() const { return outdir_ + "/events.jsonl"; }
  std::string db_path() const { return outdir_ + "/medsentry.db"; }

 private:
  void run();
  void write_batch(const std::vector<Event>& batch);
  // The inventory and the detections each read every batch on a thread of
  // their own, while this thread writes it; a batch is shared between the
  // three, never copied, and only read.
  using Shared = std::shared_ptr<const std::vector<Event>>;
  void run_consumer(BoundedQueue<Shared>& q, std::string& error, const char* what,
                    const std::function<void(const Event&)>& add);
  // Hands the batch to the inventory and the detections, then writes it.
  void consume(std::vector<Event>&& batch);

  std::string outdir_;
  FILE* jsonl_ = nullptr;
  std::unique_ptr<SqliteWriter> db_;
  std::unique_ptr<inv::Inventory> inventory_;
  std::unique_ptr<detect::Engine> detect_;
  // The inventory and the detections read the written batches on a thread of
  // their own (the correlation thread), so that parsing events never slows
  // the writing.
  BoundedQueue<Shared> inv_q_{64}, det_q_{64};
  std::thread inv_thread_, det_thread_;
  std::string inv_error_, det_error_;
  BoundedQueue<std::vector<Event>> q_{64};
  std::thread thread_;
  std::map<std::string, uint64_t> counts_;
  std::vector<std::pair<std::string, std::string>> meta_;
  uint64_t written_ = 0;
  std::string error_;
  bool finished_ = false;
};

// Batches a worker's events and hands them to the output thread.
class BatchingSink : public EventSink {
 public:
  explicit BatchingSink(OutputThread& out, size_t batch = 256) : out_(out), batch_(batch) {}
  ~BatchingSink() override { flush(); }
  void emit(Event&& ev) override {
    buf_.push_back(std::move(ev));
    if (buf_.size() >= batch_) flush();
  }
  void flush() {
    if (buf_.empty()) return;
    out_.push(std::move(buf_));
    buf_.clear();
    buf_.reserve(batch_);
  }

 private:
  OutputThread& out_;
  size_t batch_;
  std::vector<Event> buf_;
};

}  // namespace ms
