// The orientation of a new flow from its first packet (flow/orientation.h).
#include "flow/orientation.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>

namespace ms {

namespace {

// Ports of the services medsentry's dissectors and Zeek's likely_server_ports
// know (IANA service names registry): the sender of a packet from one of them
// to a port that is not one is the server. Sorted for binary search.
constexpr uint16_t kServerPorts[] = {
    20,   21,   22,   23,   25,   53,   67,   69,   80,   88,   102,  104,  110,  111,  119,  123,
    135,  137,  138,  139,  143,  161,  162,  389,  443,  445,  465,  502,  514,  515,  547,  554,
    587,  631,  636,  853,  873,  993,  995,  1433, 1521, 1883, 1900, 2575, 3306, 3389, 4242, 5060,
    5061, 5353, 5355, 5432, 5671, 5672, 5900, 8080, 8443, 8883, 11112, 47808};
static_assert(std::is_sorted(std::begin(kServerPorts), std::end(kServerPorts)));

bool to_group(const Packet& p) {
  if (p.dst_mac && (p.dst_mac[0] & 1)) return true;
  if (p.dst.is_v4()) {
    uint8_t a = p.dst.b[12];
    bool broadcast = a == 255 && p.dst.b[13] == 255 && p.dst.b[14] == 255 && p.dst.b[15] == 255;
    return (a >= 224 && a <= 239) || broadcast;
  }
  return p.dst.b[0] == 0xff;  // RFC 4291 §2.7
}

bool is_dns_port(uint16_t port) { return port == 53 || port == 5353 || port == 5355; }

// A DNS header (RFC 1035 §4.1.1) with QR=1, on a DNS port. -1: not DNS.
int dns_response(const Packet& p) {
  if (p.proto != kProtoUdp || !(is_dns_port(p.sport) || is_dns_port(p.dport)) || p.payload_len < 12) return -1;
  return (p.payload[2] & 0x80) ? 1 : 0;
}

// The first bytes of a message only a server sends first.
bool server_greeting(const Packet& p) {
  if (p.proto != kProtoTcp || p.payload_len < 4) return false;
  std::string_view s(reinterpret_cast<const char*>(p.payload), std::min<uint32_t>(p.payload_len, 8));
  return s.starts_with("HTTP/1.") ||                                    // RFC 9112 §4 status line
         s.starts_with("220 ") || s.starts_with("220-") ||              // RFC 959, RFC 5321 §4.2 greeting
         s.starts_with("+OK ") || s.starts_with("* OK ");               // RFC 1939 §4, RFC 9051 §7.1.1
}

}  // namespace

bool likely_server_port(uint16_t port) {
  return std::binary_search(std::begin(kServerPorts), std::end(kServerPorts), port);
}

bool first_packet_from_server(const Packet& p) {
  if (p.proto != kProtoTcp && p.proto != kProtoUdp) return false;
  if (to_group(p)) return false;
  if (p.proto == kProtoTcp) {
    const uint8_t syn_ack = kTcpSyn | kTcpAck;
    if ((p.tcp_flags & syn_ack) == syn_ack) return true;
    if (p.tcp_flags & kTcpSyn) return false;  // a SYN: its sender is the client
    if (server_greeting(p)) return true;
  } else if (int r = dns_response(p); r >= 0) {
    return r == 1;
  }
  return likely_server_port(p.sport) && !likely_server_port(p.dport);
}

}  // namespace ms
