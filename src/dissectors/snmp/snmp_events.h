// The `snmp` event as a struct (ARCHITECTURE.md "events"): what the inventory
// and the detections read instead of the JSON. Its JSON writer, snmp_log.cc,
// is the only code that knows the event's keys.
#pragma once

#include <string>
#include <string_view>

#include "dissectors/snmp/snmp.h"
#include "events/event.h"

namespace ms::snmp {

struct SnmpEvent : TypedEvent {
  // The message as parsed, without its community: the secret stays in the
  // dissector (it leaves only as a credential event, scrubbed there).
  Message msg;
  int version = 0;             // as the JSON says it: 1, 2 (v2c) or 3
  std::string_view pdu_type;   // "get_response", "trap", ... "" when not read (static storage)
  // Whether the values of msg.vars are part of the event (not for requests,
  // whose values are placeholders); those with an empty value never are.
  bool has_values = false;
  // Fills version, pdu_type and has_values from msg.
  void derive();
  void write_json(JsonWriter& w) const;
};

// The name of a system group or entity MIB value ("sys_descr", "ent_serial"),
// or nullptr: what the inventory takes from an agent.
const char* value_name(const std::string& oid);

}  // namespace ms::snmp
