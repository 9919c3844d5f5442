// The `dhcp` event as a struct (ARCHITECTURE.md "events"): what the inventory
// reads instead of the JSON. Its JSON writer, dhcp_log.cc, is the only code
// that knows the event's keys.
#pragma once

#include <string>
#include <string_view>

#include "dissectors/dhcp/dhcp.h"
#include "events/event.h"

namespace ms::dhcp {

struct DhcpEvent : TypedEvent {
  Message msg;                  // the message as parsed (v4 or v6)
  bool reply = false;           // server to client (v4 op 2; v6 advertise, reply, relay-reply)
  std::string_view dhcp_type;   // "discover", "solicit", ..., "unknown" or "bootp" (static storage)
  std::string param_fingerprint;  // option 55 / ORO as "1,3,6" ("" when none)
  // Fills reply, dhcp_type and param_fingerprint from msg.
  void derive();
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::dhcp
