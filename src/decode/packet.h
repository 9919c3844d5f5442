// The packet view produced by decode: pointers into the capture buffer, no
// copies. A view is only valid while the buffer it points into is.
#pragma once

#include <cstdint>
#include <string>

#include "common/types.h"

namespace ms {

// Link types we decode, by their DLT/LINKTYPE numbers (tcpdump.org/linktypes).
enum LinkType : int {
  kLinkNull = 0,        // BSD loopback: 4-byte host-order address family
  kLinkEthernet = 1,
  kLinkRawAlt = 12,     // DLT_RAW on OpenBSD-derived systems
  kLinkRawAlt2 = 14,    // DLT_RAW on BSD/OS
  kLinkRaw = 101,       // raw IPv4/IPv6, version in the first nibble
  kLinkLoop = 108,      // OpenBSD loopback: 4-byte network-order family
  kLinkSll = 113,       // Linux cooked v1
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkSll2 = 276,      // Linux cooked v2
};
bool link_type_supported(int dlt);

enum IpProto : uint8_t {
  kProtoHopOpts = 0,
  kProtoIcmp = 1,
  kProtoTcp = 6,
  kProtoUdp = 17,
  kProtoIpv6Route = 43,
  kProtoIpv6Frag = 44,
  kProtoEsp = 50,
  kProtoAh = 51,
  kProtoIcmpv6 = 58,
  kProtoIpv6NoNext = 59,
  kProtoIpv6DstOpts = 60,
  kProtoMobility = 135,
};

enum TcpFlags : uint8_t {
  kTcpFin = 0x01,
  kTcpSyn = 0x02,
  kTcpRst = 0x04,
  kTcpPsh = 0x08,
  kTcpAck = 0x10,
  kTcpUrg = 0x20,
  kTcpEce = 0x40,
  kTcpCwr = 0x80,
};

// The protocol as events name it: "TCP", "UDP", "ICMP", "IPv6-ICMP", or its
// number.
std::string ip_proto_name(uint8_t proto);

constexpr int kMaxVlans = 2;

struct Packet {
  // Capture record.
  TimeNs ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
  int linktype = kLinkEthernet;
  // Frames and on-the-wire bytes this packet stands for: 1 and wirelen, or the
  // sum over the fragments of a reassembled datagram.
  uint32_t frames = 1;
  uint64_t frame_bytes = 0;

  // Layer 2.
  uint16_t vlan[kMaxVlans] = {0, 0};
  uint8_t vlan_count = 0;
  const uint8_t* src_mac = nullptr;  // Ethernet/SLL source when present
  const uint8_t* dst_mac = nullptr;
  uint16_t ethertype = 0;
  // Non-IP frames: the bytes after the (innermost) ethertype or 802.3 length.
  const uint8_t* l2_payload = nullptr;
  uint32_t l2_payload_len = 0;

  // Layer 3 (the innermost IP header when tunnels were opened).
  uint8_t tunnel_depth = 0;
  uint8_t ip_version = 0;  // 0: not IP
  IpAddr src, dst;
  uint8_t proto = 0;  // upper-layer protocol after IPv6 extension headers
  uint8_t ttl = 0;
  const uint8_t* l3 = nullptr;
  uint32_t l3_len = 0;      // bytes of the IP datagram present in the buffer
  uint32_t l3_hdr_len = 0;  // IPv4 header / IPv6 header and extension headers
  bool l3_truncated = false;  // the capture cut the datagram (snap length)

  // Fragmentation (set when this packet is a fragment).
  bool is_fragment = false;
  uint32_t frag_id = 0;
  uint32_t frag_offset = 0;  // bytes
  bool frag_more = false;
  const uint8_t* frag_data = nullptr;  // fragment payload
  uint32_t frag_len = 0;

  // Layer 4.
  const uint8_t* l4 = nullptr;
  uint32_t l4_len = 0;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t window = 0;
  uint8_t tcp_flags = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint16_t icmp_id = 0;
  const uint8_t* payload = nullptr;
  uint32_t payload_len = 0;
  bool l4_ok = false;  // layer 4 header decoded completely
};

}  // namespace ms
