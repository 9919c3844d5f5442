// Decodes one captured frame into a Packet view: link layer (Ethernet, VLAN,
// QinQ, PPPoE, MPLS, Linux cooked v1/v2, BSD loopback, raw IP), IPv4, IPv6
// with extension headers, TCP, UDP, ICMP, ICMPv6. It never reads outside
// [p.data, p.data + p.caplen); every malformed layer is reported as a reason.
#pragma once

#include <cstdint>

#include "decode/packet.h"

namespace ms {

// Anomaly reasons of one packet. Reasons are string literals with static
// storage ("ipv4.bad_header_length"), listed in docs/anomalies.md.
struct DecodeAnomalies {
  static constexpr int kMax = 4;
  const char* reason[kMax] = {};
  int n = 0;
  void add(const char* r) {
    if (n < kMax) reason[n++] = r;
  }
};

enum class DecodeOutcome : uint8_t {
  kIp,     // an IP packet (possibly a fragment, possibly with anomalies)
  kNonIp,  // a valid frame that carries no IP (ARP, LLDP, STP ...)
  kBad,    // the frame could not be decoded up to IP
};

// Decodes p.data/p.caplen according to p.linktype and fills the view.
DecodeOutcome decode_packet(Packet& p, DecodeAnomalies& an);

// Decodes an IP datagram starting at `ip` (used for link layers and for
// reassembled datagrams). `avail` is the number of bytes present.
DecodeOutcome decode_ip(Packet& p, const uint8_t* ip, uint32_t avail, DecodeAnomalies& an);

// Decodes an Ethernet frame carried inside a tunnel (GRE/ERSPAN): the inner
// frame's MAC addresses and VLAN tags replace the outer ones.
DecodeOutcome decode_inner_ethernet(Packet& p, const uint8_t* frame, uint32_t avail, DecodeAnomalies& an);

}  // namespace ms
