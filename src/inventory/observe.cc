// Event -> observations: flows here, every other event type by the observer
// its dissector folder registers (src/dissectors/<p>/<p>_observe.cc,
// inventory/observe_registry.h). docs/inventory.md has the table with the
// reasons for each confidence.
#include "inventory/observe.h"

#include <cstring>

#include "common/cidr.h"
#include "dissectors/text.h"
#include "inventory/knowledge.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

unsigned initial_ttl(unsigned ttl) {
  if (ttl == 0) return 0;
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

void observe_flow(const ObserveCtx& c, const FlowRow& f) {
  std::string proto = f.proto == "TCP" ? "tcp" : f.proto == "UDP" ? "udp" : f.proto == "ICMP" ? "icmp" : f.proto == "IPv6-ICMP" ? "icmp6" : f.proto;
  for (int d = 0; d < 2; ++d) {
    const std::string& ip = d == 0 ? c.src : c.dst;
    if (!f.has_mac[d]) continue;
    std::string m = mac_key(text::mac(Bytes(f.mac[d], 6)));
    if (m.empty()) continue;
    if (!ip.empty()) c.add(m, "ip", ip.substr(3), "flow", 0.6f);
    if (!f.vlan.empty()) c.add(m, "vlan", f.vlan, "flow", kStated);
  }
  // An address is a device only once it has taken part in a conversation:
  // the flow was answered, or its client sent payload. A SYN (or an ICMP
  // echo, a datagram) that nothing answered says nothing of its spoofable
  // source or of a target that may not exist: a flood from a million spoofed
  // sources, or a /16 sweep, would otherwise become a million devices (Zeek's
  // known_hosts likewise counts only hosts that completed a handshake). Their
  // MAC addresses above are evidence enough of a host on the wire; the
  // detections see every attempt.
  if (!f.answered && !f.data[0]) return;
  // TTLs of TCP only: ICMPv6 neighbour discovery and mDNS send 255 by rule.
  for (int d = 0; d < 2 && proto == "tcp"; ++d) {
    const std::string& dev = d == 0 ? c.src : c.dst;
    if (f.ttl[d]) c.add(dev, "ttl", std::to_string(initial_ttl(f.ttl[d])), "flow.ttl", kHint);
  }
  uint64_t bytes = f.bytes_toserver + f.bytes_toclient;
  bool ported = proto == "tcp" || proto == "udp";
  std::string svc = ported ? proto + "/" + std::to_string(f.dest_port) : proto;
  if (f.app_proto != "unknown" && !f.app_proto.empty()) svc += "/" + f.app_proto;
  // Services: the responder of an answered flow offers what was asked for.
  if (f.answered && ported && !c.dst.empty()) {
    std::string v = svc;
    if (const char* sec = app_security(f.app_proto); *sec) v += std::string("|") + sec;
    c.add(c.dst, "service", v, "flow", kStated, bytes);
  }
  // Peers: who talks to whom, on what, with the volume.
  if (!c.src.empty() && !c.dst.empty()) {
    c.add(c.src, "peer", "out|" + c.dst.substr(3) + "|" + svc, "flow", kStated, bytes);
    c.add(c.dst, "peer", "in|" + c.src.substr(3) + "|" + svc, "flow", kStated, bytes);
  }
  // Being seen at all (first/last seen of devices known only by address);
  // a peer observation already says so.
  if (c.dst.empty()) c.add(c.src, "seen", "flow", "flow", kStated);
  if (f.answered && !ported) c.add(c.dst, "seen", "flow", "flow", kStated);  // an ICMP reply
}

}  // namespace

bool internal_address(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return false;
  if (v4) return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
  return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

bool link_local_address(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return false;
  return v4 ? (b[0] == 169 && b[1] == 254) : (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

std::string ip_key(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return "";
  if (v4 && (b[0] == 0 || b[0] == 127 || b[0] >= 224)) return "";  // this-network, loopback, multicast, broadcast
  static const uint8_t zero[15] = {};
  if (!v4 && (b[0] == 0xff || std::memcmp(b, zero, 15) == 0)) return "";  // multicast, :: and ::1
  std::string key;
  key.reserve(3 + ip.size());
  key.append("ip:").append(ip);
  return key;
}

std::string mac_key(std::string_view mac) {
  uint8_t m[6];
  if (!parse_mac(mac, m) || (m[0] & 1)) return "";  // not a MAC, or a group address
  if (mac == "00:00:00:00:00:00") return "";
  return "mac:" + std::string(mac);
}

bool observed_type(std::string_view t) { return t == "flow" || observer_of(t) != nullptr; }

void observe(const Event& e, const ObservationSink& out) {
  if (e.flow) {
    ObserveCtx c{e, out, ip_key(e.src_ip), ip_key(e.dest_ip)};
    c.last = e.flow->end;
    observe_flow(c, *e.flow);
    return;
  }
  const Observer* m = observer_of(e.event_type);
  if (!m || !m->typed || !e.typed) return;  // an event without its struct says nothing
  ObserveCtx c{e, out, ip_key(e.src_ip), ip_key(e.dest_ip)};
  m->typed(c);
}

}  // namespace ms::inv
