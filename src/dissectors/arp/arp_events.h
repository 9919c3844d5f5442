// The `arp` event as a struct (ARCHITECTURE.md "events"): what the inventory
// reads instead of the JSON. Its JSON writer, arp_log.cc, is the only code
// that knows the event's keys.
#pragma once

#include <string>

#include "dissectors/arp/arp.h"
#include "events/event.h"

namespace ms::arp {

struct ArpEvent : TypedEvent {
  Info claim;           // the message as the wire has it
  std::string src_mac;  // the frame's source, only when it is not claim.sender_mac (proxy ARP or spoofing)
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::arp
