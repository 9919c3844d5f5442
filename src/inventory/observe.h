// Events are the inventory's only input: each event type maps to
// observations (device, attribute, value) with a source and a confidence.
// A dissector feeds the inventory by registering an observer in its own
// folder (inventory/observe_registry.h); docs/inventory.md lists every mapping.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/types.h"
#include "events/event.h"

namespace ms::inv {

// Views, valid only during the sink's call: the sink copies what it keeps
// (a quarter of a million observations per bench run, no allocation each).
struct Observation {
  std::string_view device;  // "mac:aa:bb:cc:dd:ee:ff" or "ip:10.1.2.3" (resolved to a MAC later)
  std::string_view attr;    // "hostname", "ip", "service", ... (docs/inventory.md); static storage
  std::string_view value;
  std::string_view source;  // "dhcp.hostname", "flow", ...; static storage
  float confidence = 0;
  TimeNs ts = 0;
  TimeNs ts_last = 0;  // 0: same as ts (a flow spans start..end)
  uint64_t flow_id = 0;
  uint64_t bytes = 0;
};

using ObservationSink = std::function<void(Observation&&)>;

// Calls `out` for every observation the event carries. Events it cannot
// parse, or that say nothing about devices, give none.
void observe(const Event& e, const ObservationSink& out);

// A flow event's signature: everything its observations depend on but its
// times, flow id and byte counts (two flows with the same one make the same
// observations; Aggregator::add_flow). False for events not worth it (not a
// flow, or a flow nobody answered that carried no payload).
bool flow_signature(const Event& e, std::string& out);

// Whether the inventory reads this event type at all (the output thread
// skips the rest without parsing).
bool observed_type(std::string_view event_type);

// "ip:..." for a unicast address worth a device (not 0.0.0.0, broadcast,
// multicast, loopback), else "".
std::string ip_key(std::string_view ip);
// The same, written into `out` (its buffer reused); returns `out`.
const std::string& ip_key_into(std::string_view ip, std::string& out);
// Whether ip_key(ip) is not empty, without building it (the rules ask this
// of every flow).
bool device_ip(std::string_view ip);
std::string mac_key(std::string_view mac);
// RFC 1918, 169.254/16, fc00::/7, fe80::/10: where a hospital's own devices
// live (the detections' configuration will make this a setting).
bool internal_address(std::string_view ip);
// 169.254/16 and fe80::/10: addresses that never cross a router.
bool link_local_address(std::string_view ip);

}  // namespace ms::inv
