// The inventory's aggregation under its caps (aggregate.h).
#include "inventory/aggregate.h"

#include <algorithm>

namespace ms::inv {

namespace {

// An observation a cap turned away: counted in its not-listed row, with its
// bytes, so the record says how much it does not list.
void count_over(Aggregate& g, TimeNs ts, TimeNs last, uint64_t bytes) {
  if (g.count == 0 || ts < g.first) g.first = ts;
  g.last = std::max(g.last, last);
  g.confidence = 1.0f;
  ++g.count;
  g.bytes += bytes;
}

// One more observation of an aggregate already listed; the earliest flow
// stays its evidence.
void merge(Aggregate& g, float confidence, TimeNs ts, TimeNs last, uint64_t flow_id, uint64_t bytes) {
  g.confidence = std::max(g.confidence, confidence);
  if (ts < g.first) {
    g.first = ts;
    g.flow_id = flow_id;
  }
  g.last = std::max(g.last, last);
  ++g.count;
  g.bytes += bytes;
}

}  // namespace

// The device's record, made resident (and most recent) first: a new device
// beyond the cap writes out the least recently seen one to make room.
Aggregator::Device& Aggregator::resident(std::string_view key) {
  auto it = devices_.find(key);
  if (it == devices_.end()) {
    while (devices_.size() >= max_devices_ && !lru_.empty()) {
      auto v = devices_.find(lru_.back());
      write_out(v->first, v->second);
      lru_.pop_back();
      devices_.erase(v);
      ++generation_;
      ++stats_.evictions;
    }
    it = devices_.emplace(std::string(key), Device{}).first;
    lru_.push_front(it->first);
    it->second.lru = lru_.begin();
    stats_.max_resident = std::max<uint64_t>(stats_.max_resident, devices_.size());
  } else if (it->second.lru != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  return it->second;
}

void Aggregator::add(Observation&& o) {
  ++stats_.observations;
  Device& d = resident(o.device);
  std::string& k = key_buf_;  // reused: no allocation per observation
  k.clear();
  k += o.attr;
  k += '\x1f';
  k += o.value;
  k += '\x1f';
  k += o.source;
  TimeNs last = o.ts_last ? o.ts_last : o.ts;
  auto a = d.attrs.find(k);
  if (a == d.attrs.end()) {
    bool peer = o.attr == std::string_view("peer"), service = o.attr == std::string_view("service");
    if (d.attrs.size() >= kMaxAttrsPerDevice || (peer && d.peers >= kMaxPeersPerDevice) ||
        (service && d.services >= kMaxServicesPerDevice)) {
      ++stats_.dropped;
      Aggregate* over = nullptr;
      if (peer || service) {
        over = peer ? &d.over_peers : &d.over_services;
        count_over(*over, o.ts, last, o.bytes);
      }
      if (recording_) recording_->push_back({&d, over, o.confidence, true, o.bytes != 0});
      return;
    }
    d.peers += peer;
    d.services += service;
    auto ins = d.attrs.emplace(k, Aggregate{o.confidence, o.ts, last, 1, o.bytes, o.flow_id}).first;
    if (recording_) recording_->push_back({&d, &ins->second, o.confidence, false, o.bytes != 0});
    return;
  }
  Aggregate& g = a->second;
  if (recording_) recording_->push_back({&d, &g, o.confidence, false, o.bytes != 0});
  merge(g, o.confidence, o.ts, last, o.flow_id, o.bytes);
}

void Aggregator::add_flow(std::string_view signature, TimeNs ts, TimeNs end, uint64_t flow_id, uint64_t bytes,
                          const std::function<void(const ObservationSink&)>& observe_all) {
  auto it = flows_.find(signature);
  if (it != flows_.end() && it->second.generation == generation_) {
    replay(it->second, ts, end ? end : ts, flow_id, bytes);
    return;
  }
  // The first of its signature (or its devices left memory since): added one
  // by one, their effects noted. Kept only when nothing left memory meanwhile
  // and every observation's bytes say plainly whether they are the flow's.
  std::vector<Applied> applied;
  uint64_t before = generation_;
  recording_ = &applied;
  observe_all([this](Observation&& o) { add(std::move(o)); });
  recording_ = nullptr;
  if (generation_ != before || bytes == 0) return;
  if (flows_.size() >= kMaxFlowSignatures) flows_.clear();
  FlowEntry& f = flows_[std::string(signature)];
  f.generation = generation_;
  f.applied = std::move(applied);
}

// What add() does to an aggregate that exists, for each noted effect (the
// same count_over and merge).
void Aggregator::replay(const FlowEntry& f, TimeNs ts, TimeNs last, uint64_t flow_id, uint64_t bytes) {
  for (const Applied& a : f.applied) {
    ++stats_.observations;
    Device& d = *a.device;
    if (d.lru != lru_.begin()) lru_.splice(lru_.begin(), lru_, d.lru);
    uint64_t b = a.with_bytes ? bytes : 0;
    if (a.over) {
      ++stats_.dropped;
      if (a.target) count_over(*a.target, ts, last, b);
    } else {
      merge(*a.target, a.confidence, ts, last, flow_id, b);
    }
  }
}

void Aggregator::write_out(const std::string& key, const Device& d) {
  // An address only named by DNS in this run, never seen: not kept (a
  // resolver answers for thousands of hosts that never appear).
  if (key.rfind("ip:", 0) == 0 &&
      std::all_of(d.attrs.begin(), d.attrs.end(), [](const auto& kv) { return kv.first.rfind("dns_name\x1f", 0) == 0; })) {
    ++stats_.unseen_names;
    return;
  }
  for (const auto& [k, g] : d.attrs) {
    std::string_view kv = k;
    size_t p1 = kv.find('\x1f'), p2 = kv.find('\x1f', p1 + 1);
    out_.write(key, kv.substr(0, p1), kv.substr(p1 + 1, p2 - p1 - 1), kv.substr(p2 + 1), g);
  }
  // Over the caps: one "not_listed" row per kind, its count and bytes.
  if (d.over_peers.count) out_.write(key, "not_listed", "peer", "cap", d.over_peers);
  if (d.over_services.count) out_.write(key, "not_listed", "service", "cap", d.over_services);
}

void Aggregator::flush() {
  for (auto& [k, d] : devices_) write_out(k, d);
  devices_.clear();
  lru_.clear();
  flows_.clear();
  ++generation_;
  out_.commit();
}

}  // namespace ms::inv
