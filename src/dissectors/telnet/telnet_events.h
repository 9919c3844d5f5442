// What a `telnet` event says (telnet.schema.json; its JSON writer is
// telnet_log.cc): one per connection, at its end.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "events/event.h"

namespace ms::telnet {

struct TelnetEvent : TypedEvent {
  std::optional<std::string> banner;  // trimmed (may be empty); absent when none came
  std::vector<std::string> options;  // option names (RFC 855+), or the number as text
  std::string terminal_type;         // empty: absent
  bool login_prompt = false;
  std::string username;      // empty: absent
  std::string login_result;  // "success", "failure", "unknown"; empty: absent
  std::vector<std::string> commands;  // scrubbed of identifiers; empty: absent
  bool commands_truncated = false;    // written only with commands
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::telnet
