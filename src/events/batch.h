// Event batches between stages: the interface a consumer of every batch
// implements (the writers, the inventory, the detections, later the live
// monitor's publishers and the fleet exporter), the port producers push to,
// and the sink that batches a producer's events. app/fanout.h connects them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "events/event.h"

namespace ms {

using SharedBatch = std::shared_ptr<const std::vector<Event>>;

// A stage that reads every batch. take() runs on the consumer's own thread;
// an exception stops its reading (the message is kept) but never blocks the
// producers: the queue keeps draining.
class BatchConsumer {
 public:
  virtual ~BatchConsumer() = default;
  virtual const char* thread_name() const = 0;
  // On its thread, before the first batch (loads what it needs meanwhile).
  virtual void start() {}
  virtual void take(const std::vector<Event>& batch) = 0;
  // The queue ran dry after one or more batches.
  virtual void idle() {}
  // When the consumer wants to be called even without a batch (a periodic
  // commit), and what to do then.
  virtual std::optional<std::chrono::steady_clock::time_point> deadline() const { return std::nullopt; }
  virtual void on_deadline() {}
};

// Where producers put their batches.
class BatchPort {
 public:
  virtual ~BatchPort() = default;
  virtual void push(std::vector<Event>&& batch) = 0;
};

// Batches a producer's events and pushes them to a port.
class BatchingSink : public EventSink {
 public:
  explicit BatchingSink(BatchPort& out, size_t batch = 256) : out_(out), batch_(batch) {}
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
  BatchPort& out_;
  size_t batch_;
  std::vector<Event> buf_;
};

}  // namespace ms
