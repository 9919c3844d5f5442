// The `cdp` event as a struct (ARCHITECTURE.md "events"): what the inventory
// reads instead of the JSON. Its JSON writer, cdp_log.cc, is the only code
// that knows the event's keys.
#pragma once

#include <string>

#include "dissectors/cdp/cdp.h"
#include "events/event.h"

namespace ms::cdp {

struct CdpEvent : TypedEvent {
  std::string src_mac;  // the frame's source ("" when the frame had none)
  Info info;            // what the frame says
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::cdp
