// Inline and threaded workers.
#include "app/workers.h"

#include <cstring>

#include "common/thread_name.h"

namespace ms {

namespace {
// Idle flows are swept at most once per second of packet time; between
// sweeps, a flow's own next packet ends it if it was idle too long.
constexpr TimeNs kSweepInterval = kNsPerSec;
}  // namespace

void InlineWorker::consume(const Packet& p, TimeNs clock) {
  engine_.process(p);
  if (clock - last_sweep_ >= kSweepInterval) {
    engine_.advance(clock);
    last_sweep_ = clock;
  }
}

void InlineWorker::finish(TimeNs end_ts) {
  engine_.finish(end_ts);
  sink_.flush();
}

void InlineWorker::tick(TimeNs clock) {
  engine_.advance(clock);
  last_sweep_ = clock;
  sink_.flush();
}

ThreadedWorker::ThreadedWorker(const FlowConfig& cfg, BatchPort& out) : cfg_(cfg), out_(out) {
  for (int i = 0; i < 12; ++i) {
    auto b = std::make_unique<Batch>();
    b->recs.reserve(kBatchPackets);
    b->data.reserve(kBatchBytes + 70000);
    free_.push(std::move(b));
  }
  thread_ = std::thread([this] {
    name_thread("ms-worker");
    run();
  });
}

ThreadedWorker::~ThreadedWorker() {
  work_.close();
  join();
}

void ThreadedWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void ThreadedWorker::send() {
  work_.push(std::move(cur_));
  cur_.reset();
}

ThreadedWorker::Batch& ThreadedWorker::current() {
  if (!cur_) {
    auto b = free_.pop();
    cur_ = b ? std::move(*b) : std::make_unique<Batch>();
    cur_->recs.clear();
    cur_->data.clear();
    cur_->last = false;
    cur_->flush = false;
  }
  return *cur_;
}

void ThreadedWorker::tick(TimeNs clock) {
  Batch& b = current();
  b.clock = clock;
  b.flush = true;
  send();
}

void ThreadedWorker::consume(const Packet& p, TimeNs clock) {
  Batch& b = current();
  Rec r;
  r.ts = p.ts;
  r.off = static_cast<uint32_t>(b.data.size());
  r.caplen = p.caplen;
  r.wirelen = p.wirelen;
  r.frames = p.frames;
  r.frame_bytes = p.frame_bytes;
  r.linktype = p.linktype;
  r.vlan[0] = p.vlan[0];
  r.vlan[1] = p.vlan[1];
  r.vlan_count = p.vlan_count;
  b.data.insert(b.data.end(), p.data, p.data + p.caplen);
  b.recs.push_back(r);
  b.clock = clock;
  if (b.recs.size() >= kBatchPackets || b.data.size() >= kBatchBytes) send();
}

void ThreadedWorker::finish(TimeNs end_ts) {
  current();
  cur_->last = true;
  cur_->clock = end_ts;
  send();
  work_.close();
}

void ThreadedWorker::run() {
  BatchingSink sink(out_);
  FlowEngine engine(cfg_, sink);
  while (auto item = work_.pop()) {
    std::unique_ptr<Batch> b = std::move(*item);
    for (const Rec& r : b->recs) {
      Packet p;
      p.ts = r.ts;
      p.data = b->data.data() + r.off;
      p.caplen = r.caplen;
      p.wirelen = r.wirelen;
      p.linktype = r.linktype;
      DecodeAnomalies ignored;  // the dispatcher already reported them
      decode_packet(p, ignored);
      p.frames = r.frames;
      p.frame_bytes = r.frame_bytes;
      p.vlan_count = r.vlan_count;
      p.vlan[0] = r.vlan[0];
      p.vlan[1] = r.vlan[1];
      engine.process(p);
    }
    if (b->last) {
      engine.finish(b->clock);
      break;
    }
    engine.advance(b->clock);
    if (b->flush) sink.flush();
    free_.push(std::move(b));
  }
  sink.flush();
  stats_ = engine.stats();
}

}  // namespace ms
