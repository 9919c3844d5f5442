// ARP events -> inventory observations: the address a MAC answers for.
#include "dissectors/arp/arp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_arp(const ObserveCtx& c) {
  const arp::ArpEvent* a = c.e.as<arp::ArpEvent>();
  if (!a) return;
  const std::string& ip = a->claim.sender_ip;
  if (!ip_key(ip).empty()) c.add(mac_key(a->claim.sender_mac), "ip", ip, "arp", 0.9f);
}

}  // namespace

MS_REGISTER_OBSERVER(arp, {.event_type = "arp", .typed = observe_arp});

}  // namespace ms::inv
