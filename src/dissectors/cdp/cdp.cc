#include "dissectors/cdp/cdp.h"

#include "dissectors/text.h"

namespace ms::cdp {

namespace {

// Address list: count, then (protocol type, length, protocol, addr length, address).
void addresses(Bytes v, std::vector<std::string>& out) {
  ByteReader r(v);
  uint32_t n;
  if (!r.u32be(n)) return;
  for (uint32_t i = 0; i < n && out.size() < 8; ++i) {
    uint8_t ptype, plen;
    Bytes proto, addr;
    uint16_t alen;
    if (!r.u8(ptype) || !r.u8(plen) || !r.take(plen, proto) || !r.u16be(alen) || !r.take(alen, addr)) return;
    if (ptype == 1 && plen == 1 && proto[0] == 0xcc && alen == 4) out.push_back(text::ipv4(addr.data()));
    else if (ptype == 2 && alen == 16) out.push_back(text::ipv6(addr.data()));
  }
}

}  // namespace

bool parse(Bytes b, Info& in) {
  if (b.size() < 4 || b[0] < 1 || b[0] > 2) return false;
  in.version = b[0];
  in.ttl = b[1];
  size_t p = 4;
  int tlvs = 0;
  while (p + 4 <= b.size() && tlvs++ < 128) {
    uint16_t type = be16(b.data() + p), len = be16(b.data() + p + 2);
    if (len < 4 || p + len > b.size()) return tlvs > 1;
    Bytes v = b.subspan(p + 4, len - 4);
    p += len;
    switch (type) {
      case 0x01: in.device_id = text::str(v); break;
      case 0x02: addresses(v, in.addresses); break;
      case 0x03: in.port_id = text::str(v); break;
      case 0x04:
        if (v.size() >= 4) {
          static const char* n[] = {"router", "transparent_bridge", "source_route_bridge", "switch", "host", "igmp",
                                    "repeater", "phone", "remote", "cvta", "two_port_mac_relay"};
          uint32_t bits = be32(v.data());
          for (int i = 0; i < 11; ++i) if (bits & (1u << i)) in.capabilities.push_back(n[i]);
        }
        break;
      case 0x05: in.software_version = text::str(v, 512); break;
      case 0x06: in.platform = text::str(v); break;
      case 0x09: in.vtp_domain = text::str(v); break;
      case 0x0a: if (v.size() >= 2) in.native_vlan = be16(v.data()); break;
      case 0x16: addresses(v, in.management_addresses); break;
      default: break;
    }
  }
  return true;
}

}  // namespace ms::cdp
