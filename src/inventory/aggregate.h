// The inventory's aggregation (docs/inventory.md): a run's observations
// summed in memory per (device, attribute, value, source), under two caps:
// at most max_devices devices resident (the least recently seen is written
// out to the store to make room, nothing is lost) and at most
// kMaxAttrsPerDevice distinct observations per device (more are counted).
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/hash.h"
#include "inventory/observe.h"
#include "inventory/stats.h"
#include "inventory/store.h"

namespace ms::inv {

// A router sees every remote address: bounded.
constexpr size_t kMaxAttrsPerDevice = 4096;
// Peers and services have caps of their own inside it, so that a busy
// server's thousands of peers never crowd out what the device says of itself
// (its host name, model, firmware). Over a cap, the observations are counted
// and their bytes summed: the record says how much it does not list.
constexpr size_t kMaxPeersPerDevice = 1024;
constexpr size_t kMaxServicesPerDevice = 256;

class Aggregator {
 public:
  Aggregator(size_t max_devices, ObservationWriter& out, Stats& stats)
      : max_devices_(max_devices), out_(out), stats_(stats) {}
  void add(Observation&& o);
  // A flow's observations. Flows with the same signature (flow_signature():
  // everything the flow observation reads but its times, id and byte
  // counts) make the same observations, into the same aggregates: the second
  // and later ones replay the first one's updates on them, without building
  // or finding their keys again. `observe_all` makes them the first time (or
  // when a device has since been written out). The result is the same as
  // adding each observation: same aggregates, counts, caps and LRU order.
  void add_flow(std::string_view signature, TimeNs ts, TimeNs end, uint64_t flow_id, uint64_t bytes,
                const std::function<void(const ObservationSink&)>& observe_all);
  // Writes every device held to the store and empties memory.
  void flush();

 private:
  struct Device {
    std::unordered_map<std::string, Aggregate> attrs;  // attr \x1f value \x1f source
    std::list<std::string>::iterator lru;
    uint32_t peers = 0, services = 0;  // distinct peer and service aggregates held
    Aggregate over_peers, over_services;  // what their caps turned away
  };
  Device& resident(std::string_view key);
  // One observation's effect, as a replay applies it: the device touched
  // and the aggregate updated (null: dropped by the attribute cap; `over`:
  // counted in a not_listed row), its confidence, and whether it carries
  // the flow's bytes.
  struct Applied {
    Device* device;
    Aggregate* target;
    float confidence;
    bool over, with_bytes;
  };
  struct FlowEntry {
    uint64_t generation;
    std::vector<Applied> applied;
  };
  void replay(const FlowEntry& f, TimeNs ts, TimeNs last, uint64_t flow_id, uint64_t bytes);
  // Flow signatures remembered, at most this many (then forgotten at once).
  static constexpr size_t kMaxFlowSignatures = 16384;
  void write_out(const std::string& key, const Device& d);

  size_t max_devices_;
  ObservationWriter& out_;
  Stats& stats_;
  // Transparent: looked up by the observation's view without a copy.
  StringMap<Device> devices_;
  std::list<std::string> lru_;  // most recent first
  std::string key_buf_;
  StringMap<FlowEntry> flows_;  // by signature
  // Bumped whenever a device leaves memory: flow entries of an older
  // generation may point at it and are not replayed.
  uint64_t generation_ = 0;
  std::vector<Applied>* recording_ = nullptr;  // add() notes its effect here
};

}  // namespace ms::inv
