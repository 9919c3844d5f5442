// The fan-out (ARCHITECTURE.md "fan-out"): workers push event batches; every
// consumer — the writers, the inventory, the detections, and whatever comes
// later (the live monitor's publishers, the fleet exporter) — reads each batch
// on a thread of its own, from its own bounded queue. A batch is shared, never
// copied, and only read. No consumer knows the others: the output stage only
// writes, and what runs at the end of a run (devices, then alerts) is ordered
// by app/pipeline.cc.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/bounded_queue.h"
#include "events/batch.h"

namespace ms {

class FanOut : public BatchPort {
 public:
  ~FanOut() override;
  // Before start(); the consumer outlives the fan-out's close().
  void add(BatchConsumer* c, size_t depth = 64);
  void start();
  // From any producer thread. Every consumer receives the batches in the
  // same order.
  void push(std::vector<Event>&& batch) override;
  // No more batches: waits until every consumer has read everything. Returns
  // the first consumer error ("" if none).
  std::string close();
  // The same in two steps, so that one consumer's end of run can start while
  // another still reads: no more batches (consumers go on draining), then
  // wait for one consumer (its error, "" if none). close() joins the rest.
  void close_input();
  std::string join(const BatchConsumer* c);

 private:
  struct Slot {
    BatchConsumer* c;
    std::unique_ptr<BoundedQueue<SharedBatch>> q;
    std::thread t;
    std::string error;
  };
  static void run(Slot& s);

  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex push_m_;
  bool input_closed_ = false;
};

}  // namespace ms
