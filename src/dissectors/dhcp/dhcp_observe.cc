// DHCP events -> inventory observations: the names, vendor class and
// parameter-list fingerprint a client states, the servers and routers an
// offer or ack names.
#include "dissectors/dhcp/dhcp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_dhcp(const ObserveCtx& c) {
  const dhcp::DhcpEvent* ev = c.e.as<dhcp::DhcpEvent>();
  if (!ev) return;
  const dhcp::Message& d = ev->msg;
  std::string m = mac_key(d.client_mac);
  std::string_view type = ev->dhcp_type;
  c.add(m, "hostname", d.hostname, "dhcp.hostname", kStated);
  c.add(m, "hostname", d.fqdn, "dhcp.fqdn", kStated);
  c.add(m, "dhcp_vendor_class", d.vendor_class, "dhcp.vendor_class", kStated);
  if (!ev->reply) c.add(m, "dhcp_fingerprint", ev->param_fingerprint, "dhcp.params", kStated);
  if (type == "offer" || type == "ack") {
    // The server names itself (option 54): it offers DHCP.
    std::string server = ip_key(d.server_id);
    c.add(server, "service", "udp/67/dhcp|cleartext", "dhcp.server_id", kStated);
    c.add(server, "role", "dhcp_server", "dhcp", kStated);
  }
  if (type == "ack") {  // DHCPv4 only (v6 says "reply")
    if (!ip_key(d.yiaddr).empty()) c.add(m, "ip", d.yiaddr, "dhcp.ack", 0.95f);
    // The routers it hands out.
    for (const std::string& r : d.routers) c.add(ip_key(r), "role", "gateway", "dhcp.router", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(dhcp, {.event_type = "dhcp", .typed = observe_dhcp});
MS_REGISTER_APP_SECURITY(dhcp, "dhcp", "cleartext");

}  // namespace ms::inv
