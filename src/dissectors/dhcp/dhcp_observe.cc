// DHCP events -> inventory observations: the names, vendor class and
// parameter-list fingerprint a client states, the servers and routers an
// offer or ack names.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_dhcp(const ObserveCtx& c, const JsonValue& d) {
  std::string m = mac_key(str(&d, "client_mac"));
  std::string_view type = str(&d, "dhcp_type");
  c.add(m, "hostname", str(&d, "hostname"), "dhcp.hostname", kStated);
  c.add(m, "hostname", str(&d, "fqdn"), "dhcp.fqdn", kStated);
  c.add(m, "dhcp_vendor_class", str(&d, "vendor_class"), "dhcp.vendor_class", kStated);
  if (str(&d, "type") == "request") c.add(m, "dhcp_fingerprint", str(&d, "param_fingerprint"), "dhcp.params", kStated);
  if (type == "offer" || type == "ack") {
    // The server names itself (option 54): it offers DHCP.
    std::string server = ip_key(str(&d, "server_id"));
    c.add(server, "service", "udp/67/dhcp|cleartext", "dhcp.server_id", kStated);
    c.add(server, "role", "dhcp_server", "dhcp", kStated);
  }
  if (type == "ack") {
    std::string_view a = str(&d, "assigned_ip");
    if (!ip_key(a).empty()) c.add(m, "ip", a, "dhcp.ack", 0.95f);
    // The routers it hands out.
    if (const JsonValue* r = d.get("routers")) {
      for (const JsonValue& x : r->items) c.add(ip_key(x.str()), "role", "gateway", "dhcp.router", kStated);
    }
  }
}

}  // namespace

MS_REGISTER_OBSERVER(dhcp, {"dhcp", observe_dhcp});
MS_REGISTER_APP_SECURITY(dhcp, "dhcp", "cleartext");

}  // namespace ms::inv
