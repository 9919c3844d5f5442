// What an `rdp` event says (rdp.schema.json; its JSON writer is rdp_log.cc):
// the connection's negotiation (MS-RDPBCGR §2.2.1), one per connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "events/event.h"

namespace ms::rdp {

// The client core data (TS_UD_CS_CORE), seen with standard RDP security only.
struct RdpClientCore {
  std::string client_name;  // trimmed
  uint32_t client_build = 0, keyboard_layout = 0;
  uint16_t desktop_width = 0, desktop_height = 0;
};

struct RdpEvent : TypedEvent {
  std::string cookie;  // empty: absent
  std::optional<std::string> requested_protocols;  // "rdp", "tls,credssp", ...
  // The server's answer: result "success" with security_protocol, or the
  // failure's name. answered false: none seen (all three absent).
  bool answered = false;
  std::string result, security_protocol, failure;
  std::optional<RdpClientCore> core;
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::rdp
