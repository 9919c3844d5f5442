// Workers: each owns a FlowEngine (its shard of the flows). The inline worker
// runs on the reader's thread (one worker: no copies, no queues); a threaded
// worker receives packet copies in batches through a bounded queue.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "app/dispatcher.h"
#include "common/bounded_queue.h"
#include "flow/flow_engine.h"
#include "events/batch.h"

namespace ms {

class InlineWorker : public PacketConsumer {
 public:
  InlineWorker(const FlowConfig& cfg, BatchPort& out) : sink_(out), engine_(cfg, sink_) {}
  void consume(const Packet& p, TimeNs clock) override;
  void finish(TimeNs end_ts) override;
  void tick(TimeNs clock) override;
  FlowStats stats() const { return engine_.stats(); }

 private:
  BatchingSink sink_;
  FlowEngine engine_;
  TimeNs last_sweep_ = 0;
};

class ThreadedWorker : public PacketConsumer {
 public:
  ThreadedWorker(const FlowConfig& cfg, BatchPort& out);
  ~ThreadedWorker() override;
  void consume(const Packet& p, TimeNs clock) override;
  void finish(TimeNs end_ts) override;
  void tick(TimeNs clock) override;
  // Waits for the thread; valid afterwards.
  void join();
  FlowStats stats() const { return stats_; }

 private:
  struct Rec {
    TimeNs ts;
    uint32_t off, caplen, wirelen, frames;
    uint64_t frame_bytes;
    int32_t linktype;
    uint16_t vlan[2];
    uint8_t vlan_count;
  };
  struct Batch {
    std::vector<Rec> recs;
    std::vector<uint8_t> data;
    TimeNs clock = 0;
    bool last = false;
    bool flush = false;  // a tick: hand the events on after this batch
  };
  static constexpr size_t kBatchPackets = 512;
  static constexpr size_t kBatchBytes = 512 * 1024;

  void run();
  void send();
  Batch& current();

  FlowConfig cfg_;
  BatchPort& out_;
  BoundedQueue<std::unique_ptr<Batch>> work_{8};
  BoundedQueue<std::unique_ptr<Batch>> free_{16};
  std::unique_ptr<Batch> cur_;
  std::thread thread_;
  FlowStats stats_;
};

}  // namespace ms
