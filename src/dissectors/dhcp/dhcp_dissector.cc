// DHCP dissector (UDP): one `dhcp` event per message, v4 and v6. What a
// device says about itself when it asks for an address (host name, vendor
// class, parameter request list) is what identifies it best on the network.
#include "dissectors/dhcp/dhcp.h"
#include "dissectors/dissector.h"
#include "dissectors/text.h"

namespace ms::dhcp {

namespace {

void write_event(const Message& m, AppContext& ctx) {
  EventBuilder b(ctx.envelope(), "dhcp");
  JsonWriter& w = b.w();
  w.key("dhcp").begin_object();
  w.kv("version", m.version);
  bool reply = m.version == 4 ? m.op == 2 : (m.msg_type == 2 || m.msg_type == 7 || m.msg_type == 10);
  w.kv("type", reply ? "reply" : "request");
  w.kv("id", static_cast<uint64_t>(m.xid));
  const char* tn = m.version == 4 ? v4_type_name(m.msg_type) : v6_type_name(m.msg_type);
  if (tn) w.kv("dhcp_type", tn);
  else if (m.version == 6 || m.msg_type) w.kv("dhcp_type", "unknown");
  else w.kv("dhcp_type", "bootp");
  using text::list;
  using text::opt;
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
    w.kv("param_fingerprint", fingerprint(m.params));
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
  ctx.emit(b.finish());
}

template <int V>
class DhcpDissector : public Dissector {
 public:
  AppResult on_data(Direction, Bytes d, AppContext& ctx) override {
    Message m;
    if (!(V == 4 ? parse_v4(d, m) : parse_v6(d, m))) {
      ctx.anomaly(V == 4 ? "dhcp.malformed" : "dhcpv6.malformed");
      return AppResult::ok();  // one bad datagram does not end the flow
    }
    if (m.truncated_options) ctx.anomaly(V == 4 ? "dhcp.truncated_option" : "dhcpv6.truncated_option");
    write_event(m, ctx);
    return AppResult::ok();
  }
};

ProbeResult probe_v4(Direction, Bytes d) {
  return d.size() >= 240 && (d[0] == 1 || d[0] == 2) && d[1] <= 32 && d[2] <= 16 && be32(d.data() + 236) == 0x63825363
             ? ProbeResult::kMatch
             : ProbeResult::kNoMatch;
}

// DHCPv6 has no magic number: the options must tile the datagram exactly,
// with a client or server DUID among them.
ProbeResult probe_v6(Direction, Bytes d) {
  if (d.size() < 8 || d[0] < 1 || d[0] > 11) return ProbeResult::kNoMatch;
  ByteReader r(d.subspan(4));
  bool duid = false;
  uint16_t code, len;
  Bytes v;
  while (r.remaining() > 0) {
    if (!r.u16be(code) || !r.u16be(len) || !r.take(len, v) || code == 0 || code > 200) return ProbeResult::kNoMatch;
    duid = duid || ((code == 1 || code == 2) && len >= 4);
  }
  return duid ? ProbeResult::kMatch : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(dhcp, DissectorSpec{"dhcp", kTransportUdp, {67, 68}, probe_v4,
                                          [] { return std::unique_ptr<Dissector>(new DhcpDissector<4>); }});
MS_REGISTER_DISSECTOR(dhcpv6, DissectorSpec{"dhcpv6", kTransportUdp, {546, 547}, probe_v6,
                                            [] { return std::unique_ptr<Dissector>(new DhcpDissector<6>); }});

}  // namespace ms::dhcp
