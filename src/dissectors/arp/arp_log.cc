// The `arp` event's JSON (arp.schema.json): the only code that knows its keys.
#include "dissectors/arp/arp_events.h"

namespace ms::arp {

void ArpEvent::write_json(JsonWriter& w) const {
  w.key("arp").begin_object();
  w.kv("operation", claim.op == 1 ? "request" : "reply");
  w.kv("sender_mac", claim.sender_mac);
  w.kv("sender_ip", claim.sender_ip);
  w.kv("target_mac", claim.target_mac);
  w.kv("target_ip", claim.target_ip);
  if (claim.gratuitous) w.kv("gratuitous", true);
  if (claim.probe) w.kv("probe", true);
  if (!src_mac.empty()) w.kv("src_mac", src_mac);
  w.end_object();
}

}  // namespace ms::arp
