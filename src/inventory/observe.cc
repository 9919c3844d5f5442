// Event -> observations: flows here, every other event type by the observer
// its dissector folder registers (src/dissectors/<p>/<p>_observe.cc,
// inventory/observe_registry.h). docs/inventory.md has the table with the
// reasons for each confidence.
#include "inventory/observe.h"

#include <charconv>
#include <cstring>

#include "common/cidr.h"
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

// "mac:aa:bb:cc:dd:ee:ff" of a unicast, non-zero MAC (as mac_key() of its
// text), written into `out`; false for a group or all-zero address.
bool mac_key_into(const uint8_t m[6], std::string& out) {
  static const uint8_t zero[6] = {};
  if ((m[0] & 1) || std::memcmp(m, zero, 6) == 0) return false;
  static constexpr char kHex[] = "0123456789abcdef";
  out.assign("mac:");
  for (int i = 0; i < 6; ++i) {
    if (i) out += ':';
    out += kHex[m[i] >> 4];
    out += kHex[m[i] & 0xf];
  }
  return true;
}

std::string_view flow_proto(std::string_view p) {
  if (p == "TCP") return "tcp";
  if (p == "UDP") return "udp";
  if (p == "ICMP") return "icmp";
  if (p == "IPv6-ICMP") return "icmp6";
  return p;
}

// ObserveCtx::add for the flow's own values: made here of addresses,
// numbers, the VLAN list and the flow engine's protocol names, all ASCII, so
// they read back from the JSON line as they are (no json_read_back pass over
// each of a quarter of a million values).
void flow_add(const ObserveCtx& c, std::string_view dev, const char* attr, std::string_view value, const char* source,
              float conf, uint64_t bytes = 0) {
  c.add_ascii(dev, attr, value, source, conf, bytes);
}

void observe_flow(const ObserveCtx& c, const FlowRow& f) {
  // Every flow of a run comes through here: its strings are built in
  // buffers kept across calls (this runs on the inventory's one thread).
  thread_local std::string mac, svc, value;
  std::string_view proto = flow_proto(f.proto);
  for (int d = 0; d < 2; ++d) {
    const std::string& ip = d == 0 ? c.src : c.dst;
    if (!f.has_mac[d] || !mac_key_into(f.mac[d], mac)) continue;
    if (!ip.empty()) flow_add(c, mac, "ip", std::string_view(ip).substr(3), "flow", 0.6f);
    if (!f.vlan.empty()) flow_add(c, mac, "vlan", f.vlan, "flow", kStated);
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
  char num[8];
  // TTLs of TCP only: ICMPv6 neighbour discovery and mDNS send 255 by rule.
  for (int d = 0; d < 2 && proto == "tcp"; ++d) {
    const std::string& dev = d == 0 ? c.src : c.dst;
    if (!f.ttl[d]) continue;
    auto r = std::to_chars(num, num + sizeof num, initial_ttl(f.ttl[d]));
    flow_add(c, dev, "ttl", std::string_view(num, static_cast<size_t>(r.ptr - num)), "flow.ttl", kHint);
  }
  uint64_t bytes = f.bytes_toserver + f.bytes_toclient;
  bool ported = proto == "tcp" || proto == "udp";
  svc.assign(proto);
  if (ported) {
    auto r = std::to_chars(num, num + sizeof num, f.dest_port);
    svc.append("/").append(num, static_cast<size_t>(r.ptr - num));
  }
  if (f.app_proto != "unknown" && !f.app_proto.empty()) svc.append("/").append(f.app_proto);
  // Services: the responder of an answered flow offers what was asked for.
  if (f.answered && ported && !c.dst.empty()) {
    value.assign(svc);
    if (const char* sec = app_security(f.app_proto); *sec) value.append("|").append(sec);
    flow_add(c, c.dst, "service", value, "flow", kStated, bytes);
  }
  // Peers: who talks to whom, on what, with the volume.
  if (!c.src.empty() && !c.dst.empty()) {
    value.assign("out|").append(std::string_view(c.dst).substr(3)).append("|").append(svc);
    flow_add(c, c.src, "peer", value, "flow", kStated, bytes);
    value.assign("in|").append(std::string_view(c.src).substr(3)).append("|").append(svc);
    flow_add(c, c.dst, "peer", value, "flow", kStated, bytes);
  }
  // Being seen at all (first/last seen of devices known only by address);
  // a peer observation already says so.
  if (c.dst.empty()) flow_add(c, c.src, "seen", "flow", "flow", kStated);
  if (f.answered && !ported) flow_add(c, c.dst, "seen", "flow", "flow", kStated);  // an ICMP reply
}

}  // namespace

bool flow_signature(const Event& e, std::string& out) {
  const FlowRow* f = e.flow.get();
  // Unanswered flows without payload (a flood's SYNs, a sweep) make MAC
  // observations only: not worth remembering, and never the same twice
  // under a spoofed-source flood.
  if (!f || (!f->answered && !f->data[0])) return false;
  // Everything observe_flow reads but the times, the flow id and the bytes.
  out.assign(e.src_ip).append("|").append(e.dest_ip).append("|").append(f->proto).append("|").append(f->app_proto);
  out.append("|").append(f->vlan).append("|");
  char bin[2 * 7 + 5];
  for (int d = 0; d < 2; ++d) {
    bin[d * 7] = static_cast<char>(f->has_mac[d]);
    std::memcpy(bin + d * 7 + 1, f->mac[d], 6);
  }
  bin[14] = static_cast<char>(f->ttl[0]);
  bin[15] = static_cast<char>(f->ttl[1]);
  bin[16] = static_cast<char>(f->answered | f->data[0] << 1);
  bin[17] = static_cast<char>(f->dest_port >> 8);
  bin[18] = static_cast<char>(f->dest_port & 0xff);
  out.append(bin, sizeof bin);
  return true;
}

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

bool device_ip(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return false;
  if (v4) return !(b[0] == 0 || b[0] == 127 || b[0] >= 224);  // this-network, loopback, multicast, broadcast
  static const uint8_t zero[15] = {};
  return !(b[0] == 0xff || std::memcmp(b, zero, 15) == 0);  // multicast, :: and ::1
}

const std::string& ip_key_into(std::string_view ip, std::string& out) {
  out.clear();
  if (device_ip(ip)) out.append("ip:").append(ip);
  return out;
}

std::string ip_key(std::string_view ip) {
  std::string key;
  ip_key_into(ip, key);
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
  // The envelope's device keys, in buffers kept across events (a run's
  // events are observed on one thread; observers read them as const refs).
  thread_local std::string src, dst;
  if (e.flow) {
    ObserveCtx c{e, out, ip_key_into(e.src_ip, src), ip_key_into(e.dest_ip, dst)};
    c.last = e.flow->end;
    observe_flow(c, *e.flow);
    return;
  }
  const Observer* m = observer_of(e.event_type);
  if (!m || !m->typed || !e.typed) return;  // an event without its struct says nothing
  ObserveCtx c{e, out, ip_key_into(e.src_ip, src), ip_key_into(e.dest_ip, dst)};
  m->typed(c);
}

}  // namespace ms::inv
