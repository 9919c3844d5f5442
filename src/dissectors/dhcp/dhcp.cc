#include "dissectors/dhcp/dhcp.h"

#include "dissectors/text.h"

namespace ms::dhcp {

namespace {

constexpr size_t kFixed = 236;  // BOOTP header before the magic cookie
constexpr size_t kMaxList = 32;

std::string ip4(Bytes v) { return v.size() >= 4 ? text::ipv4(v.data()) : std::string(); }

void ip4_list(Bytes v, std::vector<std::string>& out) {
  for (size_t i = 0; i + 4 <= v.size() && out.size() < kMaxList; i += 4) out.push_back(text::ipv4(v.data() + i));
}

// RFC 4702: flags, rcode1, rcode2, then the name in ASCII (E bit clear) or
// DNS wire format (E bit set, canonical labels).
std::string fqdn_value(Bytes v, size_t skip) {
  if (v.size() <= skip) return "";
  uint8_t flags = v[0];
  Bytes name = v.subspan(skip);
  if (!(flags & 0x04) && skip == 3) return text::str(name);
  std::string out;
  size_t p = 0;
  while (p < name.size() && out.size() < 255) {
    uint8_t l = name[p++];
    if (l == 0 || l > 63 || p + l > name.size()) break;
    if (!out.empty()) out += '.';
    out += text::view(name.subspan(p, l));
    p += l;
  }
  return out;
}

void v4_option(uint8_t code, Bytes v, Message& m) {
  switch (code) {
    case 1: m.subnet_mask = ip4(v); break;
    case 3: ip4_list(v, m.routers); break;
    case 6: ip4_list(v, m.dns_servers); break;
    case 12: m.hostname = text::str(v); break;
    case 15: m.domain = text::str(v); break;
    case 50: m.requested_ip = ip4(v); break;
    case 51: if (v.size() >= 4) m.lease_time = be32(v.data()); break;
    case 53: if (!v.empty()) m.msg_type = v[0]; break;
    case 54: m.server_id = ip4(v); break;
    case 55:
      for (size_t i = 0; i < v.size() && m.params.size() < 255; ++i) m.params.push_back(v[i]);
      break;
    case 56: m.message = text::str(v); break;
    case 58: if (v.size() >= 4) m.renewal_time = be32(v.data()); break;
    case 59: if (v.size() >= 4) m.rebinding_time = be32(v.data()); break;
    case 60: m.vendor_class = text::str(v); break;
    case 61:  // hardware type 1 (Ethernet) + MAC: written as the MAC, as Suricata does
      m.client_id = v.size() == 7 && v[0] == 1 ? text::mac(v.subspan(1)) : text::hex(v, 64, ':');
      break;
    case 77: m.user_class = text::str(v); break;
    case 81: m.fqdn = fqdn_value(v, 3); break;
    default: break;
  }
}

// Walks one option area; returns the overload value (option 52) if seen.
uint8_t v4_options(Bytes area, Message& m) {
  uint8_t overload = 0;
  size_t p = 0;
  while (p < area.size()) {
    uint8_t code = area[p++];
    if (code == 0) continue;
    if (code == 255) break;
    if (p >= area.size()) {
      m.truncated_options = true;
      break;
    }
    uint8_t len = area[p++];
    if (p + len > area.size()) {
      m.truncated_options = true;
      break;
    }
    Bytes v = area.subspan(p, len);
    if (code == 52 && len >= 1) overload = v[0];
    v4_option(code, v, m);
    p += len;
  }
  return overload;
}

}  // namespace

bool parse_v4(Bytes b, Message& m) {
  if (b.size() < kFixed + 4) return false;
  if (b[0] != 1 && b[0] != 2) return false;
  if (be32(b.data() + kFixed) != 0x63825363) return false;
  m.version = 4;
  m.op = b[0];
  uint8_t hlen = b[2];
  m.xid = be32(b.data() + 4);
  m.ciaddr = text::ipv4(b.data() + 12);
  m.yiaddr = text::ipv4(b.data() + 16);
  m.siaddr = text::ipv4(b.data() + 20);
  m.giaddr = text::ipv4(b.data() + 24);
  if (hlen > 16) hlen = 16;
  m.client_mac = text::hex(b.subspan(28, hlen == 0 ? 6 : hlen), 16, ':');
  uint8_t overload = v4_options(b.subspan(kFixed + 4), m);
  if (overload & 1) v4_options(b.subspan(108, 128), m);  // file
  if (overload & 2) v4_options(b.subspan(44, 64), m);    // sname
  return true;
}

bool parse_v6(Bytes b, Message& m) {
  if (b.size() < 4) return false;
  uint8_t type = b[0];
  if (type < 1 || type > 13 || type == 12 || type == 13) return false;  // relay messages are not read
  m.version = 6;
  m.msg_type = type;
  m.xid = static_cast<uint32_t>(b[1]) << 16 | b[2] << 8 | b[3];
  ByteReader r(b.subspan(4));
  int options = 0;
  while (r.remaining() > 0 && options++ < 128) {
    uint16_t code, len;
    Bytes v;
    if (!r.u16be(code) || !r.u16be(len) || !r.take(len, v)) {
      m.truncated_options = true;
      return options > 1;
    }
    switch (code) {
      case 1:  // client DUID; types 1 (LLT) and 3 (LL) end with the link-layer address
        m.client_id = text::hex(v, 64, ':');
        if (v.size() >= 4 && be16(v.data() + 2) == 1) {
          if (be16(v.data()) == 1 && v.size() >= 14) m.client_mac = text::mac(v.subspan(8));
          if (be16(v.data()) == 3 && v.size() >= 10) m.client_mac = text::mac(v.subspan(4));
        }
        break;
      case 2: m.server_duid = text::hex(v, 64, ':'); break;
      case 3: case 4: {  // IA_NA, IA_TA: nested IA address options (5)
        size_t head = code == 3 ? 12 : 4;
        ByteReader ir(v.size() > head ? v.subspan(head) : Bytes());
        uint16_t c2, l2;
        Bytes v2;
        while (ir.u16be(c2) && ir.u16be(l2) && ir.take(l2, v2)) {
          if (c2 == 5 && v2.size() >= 16 && m.addresses.size() < kMaxList) m.addresses.push_back(text::ipv6(v2.data()));
        }
        break;
      }
      case 6:
        for (size_t i = 0; i + 1 < v.size() && m.params.size() < 255; i += 2) m.params.push_back(be16(v.data() + i));
        break;
      case 15:  // user class: 2-byte length-prefixed items; the first
        if (v.size() >= 2) m.user_class = text::str(v.subspan(2, std::min<size_t>(be16(v.data()), v.size() - 2)));
        break;
      case 16:  // vendor class: enterprise number, then length-prefixed data items
        if (v.size() >= 4) m.vendor_enterprise = be32(v.data());
        if (v.size() >= 6) m.vendor_class = text::str(v.subspan(6, std::min<size_t>(be16(v.data() + 4), v.size() - 6)));
        break;
      case 23:
        for (size_t i = 0; i + 16 <= v.size() && m.dns_servers.size() < kMaxList; i += 16) m.dns_servers.push_back(text::ipv6(v.data() + i));
        break;
      case 39: m.fqdn = fqdn_value(v, 1); break;
      default: break;
    }
  }
  return true;
}

const char* v4_type_name(uint8_t t) {
  static const char* names[] = {nullptr, "discover", "offer", "request", "decline", "ack", "nak", "release", "inform",
                                "forcerenew", "leasequery", "leaseunassigned", "leaseunknown", "leaseactive"};
  return t < sizeof names / sizeof names[0] ? names[t] : nullptr;
}

const char* v6_type_name(uint8_t t) {
  static const char* names[] = {nullptr, "solicit", "advertise", "request", "confirm", "renew", "rebind", "reply",
                                "release", "decline", "reconfigure", "information-request"};
  return t < sizeof names / sizeof names[0] ? names[t] : nullptr;
}

std::string fingerprint(const std::vector<uint16_t>& params) {
  std::string s;
  for (uint16_t p : params) {
    if (!s.empty()) s += ',';
    s += std::to_string(p);
  }
  return s;
}

}  // namespace ms::dhcp
