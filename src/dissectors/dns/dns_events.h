// The `dns` event as a struct (ARCHITECTURE.md "events"): what the inventory
// reads instead of the JSON (the inventory thread used to spend a third of
// its time parsing DNS lines, docs/decisions.md). Its JSON writer, dns_log.cc,
// is the only code that knows the event's keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "dissectors/dns/dns.h"
#include "events/event.h"

namespace ms::dns {

// Record types the consumers test (RFC 1035 §3.2.2, RFC 3596).
constexpr uint16_t kTypeA = 1, kTypePtr = 12, kTypeAaaa = 28;

struct DnsEvent : TypedEvent {
  std::string_view protocol;  // "dns", "mdns", "llmnr" or "nbns" (static storage)
  bool nbns = false;          // NetBIOS names: type 33 is NBSTAT, whose txt are the names
  Message msg;                // a unicast answer carries its query's questions
  TimeNs rtt = -1;            // unicast answers: query to answer; -1 when none
  // Names bound to the sender's own address (mDNS/LLMNR answers and
  // announcements, NBNS registrations and answers), at most 16.
  std::vector<std::string> host_names;
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::dns
