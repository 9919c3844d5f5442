// DHCP dissector (UDP): one `dhcp` event per message, v4 and v6. What a
// device says about itself when it asks for an address (host name, vendor
// class, parameter request list) is what identifies it best on the network.
#include "dissectors/dhcp/dhcp_events.h"
#include "dissectors/dissector.h"
#include "dissectors/text.h"

namespace ms::dhcp {

namespace {

template <int V>
class DhcpDissector : public Dissector {
 public:
  AppResult on_data(Direction, Bytes d, AppContext& ctx) override {
    auto ev = std::make_unique<DhcpEvent>();
    Message& m = ev->msg;
    if (!(V == 4 ? parse_v4(d, m) : parse_v6(d, m))) {
      ctx.anomaly(V == 4 ? "dhcp.malformed" : "dhcpv6.malformed");
      return AppResult::ok();  // one bad datagram does not end the flow
    }
    if (m.truncated_options) ctx.anomaly(V == 4 ? "dhcp.truncated_option" : "dhcpv6.truncated_option");
    ev->derive();
    ctx.emit(make_event(ctx.envelope(), "dhcp", std::move(ev)));
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
