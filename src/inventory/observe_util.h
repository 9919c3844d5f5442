// What a protocol's observe function needs to turn its events into inventory
// observations: the context it writes through and the confidence scale.
// Included by the `<p>_observe.cc` files in the dissector
// folders (through inventory/observe_registry.h) and by observe.cc.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/json_read_back.h"
#include "inventory/observe.h"

namespace ms::inv {

// Confidence of what a source says about the device it comes from
// (docs/inventory.md has the table with the reasons for each).
constexpr float kStated = 0.9f;    // the device names itself in a structured field (DICOM tags, LLDP-MED, DHCP option)
constexpr float kDescribed = 0.8f; // free text the device writes about itself (sysDescr, banners, titles)
constexpr float kNamed = 0.7f;     // names it claims (NetBIOS, mDNS, LLDP system name)
constexpr float kSaid = 0.5f;      // what another host says about it (DNS answers, called AE titles)
constexpr float kHint = 0.3f;      // indirect (TTL)

// Typed observers hold the dissector's raw strings; bytes that are not valid
// UTF-8 are written to the JSON as \u00XX and read back as U+00XX. add() maps
// values with json_read_back(), so the inventory is the same whether an
// observer reads the struct or the JSON (nothing is copied for valid UTF-8).

// One event being observed: its envelope's device keys and the sink.
struct ObserveCtx {
  const Event& e;
  const ObservationSink& out;
  const std::string& src;  // ip keys of the envelope ("" if none)
  const std::string& dst;
  TimeNs last = 0;       // a flow's end (0: the event's own time)

  // Empty devices and values say nothing; over-long values are not names.
  void add(std::string_view dev, const char* attr, std::string_view value, const char* source, float conf,
           uint64_t bytes = 0) const {
    if (dev.empty() || value.empty()) return;
    std::string read_back;
    add_ascii(dev, attr, json_read_back(value, read_back), source, conf, bytes);
  }

  // add() for values that read back from the JSON line as they are (ASCII
  // the sensor made itself: addresses, numbers, protocol names): no
  // json_read_back pass.
  void add_ascii(std::string_view dev, const char* attr, std::string_view value, const char* source, float conf,
                 uint64_t bytes = 0) const {
    if (dev.empty() || value.empty() || value.size() > 512) return;
    Observation o;
    o.device = dev;
    o.attr = attr;
    o.value = value;
    o.source = source;
    o.confidence = conf;
    o.ts = e.ts;
    o.flow_id = e.flow_id;
    o.bytes = bytes;
    o.ts_last = last;
    out(std::move(o));
  }
};


}  // namespace ms::inv
