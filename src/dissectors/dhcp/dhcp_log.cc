// The `dhcp` event's JSON (dhcp.schema.json): the only code that knows its
// keys, and the fields derived from the message that the JSON and the
// inventory share.
#include "dissectors/dhcp/dhcp_events.h"
#include "dissectors/text.h"

namespace ms::dhcp {

void DhcpEvent::derive() {
  const Message& m = msg;
  reply = m.version == 4 ? m.op == 2 : (m.msg_type == 2 || m.msg_type == 7 || m.msg_type == 10);
  const char* tn = m.version == 4 ? v4_type_name(m.msg_type) : v6_type_name(m.msg_type);
  dhcp_type = tn ? tn : m.version == 6 || m.msg_type ? "unknown" : "bootp";
  if (!m.params.empty()) param_fingerprint = fingerprint(m.params);
}

void DhcpEvent::write_json(JsonWriter& w) const {
  using text::list;
  using text::opt;
  const Message& m = msg;
  w.key("dhcp").begin_object();
  w.kv("version", m.version);
  w.kv("type", reply ? "reply" : "request");
  w.kv("id", static_cast<uint64_t>(m.xid));
  w.kv("dhcp_type", dhcp_type);
  opt(w, "client_mac", m.client_mac);
  if (m.version == 4) {
    w.kv("client_ip", m.ciaddr);
    w.kv("assigned_ip", m.yiaddr);
    w.kv("relay_ip", m.giaddr);
    w.kv("next_server_ip", m.siaddr);
  }
  opt(w, "requested_ip", m.requested_ip);
  opt(w, "server_id", m.server_id);
  opt(w, "client_id", m.client_id);
  opt(w, "server_duid", m.server_duid);
  opt(w, "hostname", m.hostname);
  opt(w, "fqdn", m.fqdn);
  opt(w, "vendor_class", m.vendor_class);
  if (m.vendor_enterprise) w.kv("vendor_enterprise", static_cast<uint64_t>(m.vendor_enterprise));
  opt(w, "user_class", m.user_class);
  if (!m.params.empty()) {
    w.key("params").begin_array();
    for (uint16_t p : m.params) w.value(static_cast<unsigned>(p));
    w.end_array();
    w.kv("param_fingerprint", param_fingerprint);
  }
  if (m.lease_time >= 0) w.kv("lease_time", m.lease_time);
  if (m.renewal_time >= 0) w.kv("renewal_time", m.renewal_time);
  if (m.rebinding_time >= 0) w.kv("rebinding_time", m.rebinding_time);
  opt(w, "subnet_mask", m.subnet_mask);
  list(w, "routers", m.routers);
  list(w, "dns_servers", m.dns_servers);
  list(w, "addresses", m.addresses);
  opt(w, "domain", m.domain);
  opt(w, "message", m.message);
  w.end_object();
}

}  // namespace ms::dhcp
