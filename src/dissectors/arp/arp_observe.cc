// ARP events -> inventory observations: the address a MAC answers for.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_arp(const ObserveCtx& c, const JsonValue& d) {
  std::string_view ip = str(&d, "sender_ip");
  if (!ip_key(ip).empty()) c.add(mac_key(str(&d, "sender_mac")), "ip", ip, "arp", 0.9f);
}

}  // namespace

MS_REGISTER_OBSERVER(arp, {"arp", observe_arp});

}  // namespace ms::inv
