// The `ssdp` event as a struct (ARCHITECTURE.md "events"): what the inventory
// reads instead of the JSON. Its JSON writer, ssdp_log.cc, is the only code
// that knows the event's keys.
#pragma once

#include <string>

#include "events/event.h"

namespace ms::ssdp {

struct SsdpEvent : TypedEvent {
  bool response = false;  // a unicast answer to M-SEARCH (an HTTP status line)
  std::string method;     // the request's method, or "response"
  int status = 0;         // responses only
  // The headers that say what a device is (UPnP DA 2.0 §1), at most 512
  // bytes each, "" when absent or empty.
  std::string nt, nts, st, usn, location, server, user_agent, man, cache_control;
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::ssdp
