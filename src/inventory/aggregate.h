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
  void write_out(const std::string& key, const Device& d);

  size_t max_devices_;
  ObservationWriter& out_;
  Stats& stats_;
  // Transparent: looked up by the observation's view without a copy.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Device, KeyHash, std::equal_to<>> devices_;
  std::list<std::string> lru_;  // most recent first
  std::string key_buf_;
};

}  // namespace ms::inv
