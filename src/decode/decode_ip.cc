// IPv4 (RFC 791), IPv6 (RFC 8200) with extension headers, and the layer-4
// headers TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792) and ICMPv6 (RFC 4443).
#include "common/bytes.h"
#include "decode/decoder.h"

namespace ms {

namespace {

constexpr int kMaxExtHeaders = 16;
constexpr int kMaxTunnelDepth = 3;

// Tunnels whose inner packet is the real traffic: IP-in-IP (RFC 2003), IPv6
// in IPv4/IPv6 (RFC 4213, RFC 2473) and GRE (RFC 2784/2890) carrying IP,
// Ethernet (transparent bridging) or ERSPAN type II/III (remote SPAN, the
// usual way a hospital's switch mirrors a distant closet to a sensor).
// Returns true when the inner packet was decoded into `p` (its addresses and
// ports replace the outer ones).
bool decode_tunnel(Packet& p, const uint8_t* d, uint32_t n, DecodeAnomalies& an, DecodeOutcome& out);

void decode_l4(Packet& p, const uint8_t* d, uint32_t n, DecodeAnomalies& an) {
  p.l4 = d;
  p.l4_len = n;
  switch (p.proto) {
    case kProtoTcp: {
      if (n < 20) {
        if (!p.l3_truncated) an.add("tcp.truncated_header");
        return;
      }
      uint32_t doff = static_cast<uint32_t>(d[12] >> 4) * 4;
      if (doff < 20) {
        an.add("tcp.bad_header_length");
        return;
      }
      if (doff > n) {
        if (!p.l3_truncated) an.add("tcp.header_exceeds_segment");
        return;
      }
      p.sport = be16(d);
      p.dport = be16(d + 2);
      p.seq = be32(d + 4);
      p.ack = be32(d + 8);
      p.tcp_flags = d[13];
      p.window = be16(d + 14);
      p.payload = d + doff;
      p.payload_len = n - doff;
      p.l4_ok = true;
      if ((p.tcp_flags & kTcpSyn) && (p.tcp_flags & kTcpFin)) an.add("tcp.syn_and_fin");
      return;
    }
    case kProtoUdp: {
      if (n < 8) {
        if (!p.l3_truncated) an.add("udp.truncated_header");
        return;
      }
      p.sport = be16(d);
      p.dport = be16(d + 2);
      uint32_t ulen = be16(d + 4);
      uint32_t plen = n - 8;
      if (ulen < 8) {
        // A length of 0 is legal for IPv6 jumbograms only (RFC 2675).
        if (!(ulen == 0 && p.ip_version == 6)) an.add("udp.bad_length");
      } else if (ulen > n) {
        if (!p.l3_truncated) an.add("udp.length_exceeds_datagram");
      } else {
        plen = ulen - 8;  // trailing bytes inside the IP payload are not UDP data
      }
      p.payload = d + 8;
      p.payload_len = plen;
      p.l4_ok = true;
      return;
    }
    case kProtoIcmp:
    case kProtoIcmpv6: {
      if (n < 4) {
        if (!p.l3_truncated) an.add("icmp.truncated_header");
        return;
      }
      p.icmp_type = d[0];
      p.icmp_code = d[1];
      bool echo = p.proto == kProtoIcmp ? (p.icmp_type == 8 || p.icmp_type == 0)
                                        : (p.icmp_type == 128 || p.icmp_type == 129);
      if (echo && n >= 6) p.icmp_id = be16(d + 4);
      p.payload = n >= 8 ? d + 8 : d + n;
      p.payload_len = n >= 8 ? n - 8 : 0;
      p.l4_ok = true;
      return;
    }
    default:
      // GRE, ESP, SCTP ...: a flow by address pair and protocol.
      p.payload = d;
      p.payload_len = n;
      p.l4_ok = true;
      return;
  }
}

DecodeOutcome decode_ipv4(Packet& p, const uint8_t* d, uint32_t n, DecodeAnomalies& an) {
  if (n < 20) {
    an.add("ipv4.truncated_header");
    return DecodeOutcome::kBad;
  }
  uint32_t ihl = static_cast<uint32_t>(d[0] & 0x0F) * 4;
  if (ihl < 20) {
    an.add("ipv4.bad_header_length");
    return DecodeOutcome::kBad;
  }
  if (ihl > n) {
    an.add("ipv4.truncated_header");
    return DecodeOutcome::kBad;
  }
  uint32_t total = be16(d + 2);
  if (total < ihl) {
    // TSO-captured packets carry 0 here; treat the buffer as the datagram.
    if (total != 0) {
      an.add("ipv4.bad_total_length");
      return DecodeOutcome::kBad;
    }
    an.add("ipv4.zero_total_length");
    total = n;
  }
  if (total > n) {
    if (p.caplen < p.wirelen) {
      p.l3_truncated = true;  // cut by the snap length, not malformed
    } else {
      an.add("ipv4.truncated");
    }
    total = n;
  }
  p.ip_version = 4;
  p.l3 = d;
  p.l3_len = total;  // Ethernet padding beyond the total length is dropped
  p.l3_hdr_len = ihl;
  p.ttl = d[8];
  p.proto = d[9];
  p.src = IpAddr::v4(d + 12);
  p.dst = IpAddr::v4(d + 16);
  uint16_t frag = be16(d + 6);
  p.frag_offset = static_cast<uint32_t>(frag & 0x1FFF) * 8;
  p.frag_more = frag & 0x2000;
  if (p.frag_offset != 0 || p.frag_more) {
    p.is_fragment = true;
    p.frag_id = be16(d + 4);
    p.frag_data = d + ihl;
    p.frag_len = total - ihl;
    return DecodeOutcome::kIp;
  }
  DecodeOutcome tun;
  if (decode_tunnel(p, d + ihl, total - ihl, an, tun)) return tun;
  decode_l4(p, d + ihl, total - ihl, an);
  return DecodeOutcome::kIp;
}

DecodeOutcome decode_ipv6(Packet& p, const uint8_t* d, uint32_t n, DecodeAnomalies& an) {
  if (n < 40) {
    an.add("ipv6.truncated_header");
    return DecodeOutcome::kBad;
  }
  uint32_t plen = be16(d + 4);
  uint32_t total = 40 + plen;
  if (plen == 0 && d[6] == kProtoHopOpts) {
    total = n;  // jumbogram (RFC 2675): the length is in the hop-by-hop option
  } else if (total > n) {
    if (p.caplen < p.wirelen) {
      p.l3_truncated = true;
    } else {
      an.add("ipv6.truncated");
    }
    total = n;
  }
  p.ip_version = 6;
  p.l3 = d;
  p.l3_len = total;
  p.ttl = d[7];
  p.src = IpAddr::v6(d + 8);
  p.dst = IpAddr::v6(d + 24);
  uint8_t next = d[6];
  uint32_t off = 40;
  for (int count = 0;; ++count) {
    if (count > kMaxExtHeaders) {
      an.add("ipv6.too_many_extension_headers");
      return DecodeOutcome::kBad;
    }
    switch (next) {
      case kProtoHopOpts:
      case kProtoIpv6Route:
      case kProtoIpv6DstOpts:
      case kProtoMobility: {
        if (off + 8 > total) {
          an.add("ipv6.truncated_extension_header");
          return DecodeOutcome::kBad;
        }
        if (next == kProtoHopOpts && count != 0) an.add("ipv6.hop_by_hop_not_first");
        uint32_t len = (static_cast<uint32_t>(d[off + 1]) + 1) * 8;
        if (off + len > total) {
          an.add("ipv6.truncated_extension_header");
          return DecodeOutcome::kBad;
        }
        next = d[off];
        off += len;
        continue;
      }
      case kProtoAh: {
        if (off + 8 > total) {
          an.add("ipv6.truncated_extension_header");
          return DecodeOutcome::kBad;
        }
        uint32_t len = (static_cast<uint32_t>(d[off + 1]) + 2) * 4;
        if (off + len > total) {
          an.add("ipv6.truncated_extension_header");
          return DecodeOutcome::kBad;
        }
        next = d[off];
        off += len;
        continue;
      }
      case kProtoIpv6Frag: {
        if (off + 8 > total) {
          an.add("ipv6.truncated_extension_header");
          return DecodeOutcome::kBad;
        }
        uint16_t fo = be16(d + off + 2);
        uint32_t offset = static_cast<uint32_t>(fo >> 3) * 8;
        bool more = fo & 0x1;
        uint8_t inner = d[off];
        if (offset == 0 && !more) {
          // Atomic fragment (RFC 6946): not fragmented at all.
          next = inner;
          off += 8;
          continue;
        }
        p.is_fragment = true;
        p.frag_offset = offset;
        p.frag_more = more;
        p.frag_id = be32(d + off + 4);
        p.proto = inner;
        p.l3_hdr_len = off + 8;
        p.frag_data = d + off + 8;
        p.frag_len = total - off - 8;
        return DecodeOutcome::kIp;
      }
      default:
        p.proto = next;
        p.l3_hdr_len = off;
        if (next == kProtoIpv6NoNext) {
          p.l4_ok = true;
          return DecodeOutcome::kIp;
        }
        {
          DecodeOutcome tun;
          if (decode_tunnel(p, d + off, total - off, an, tun)) return tun;
        }
        decode_l4(p, d + off, total - off, an);
        return DecodeOutcome::kIp;
    }
  }
}

bool decode_tunnel(Packet& p, const uint8_t* d, uint32_t n, DecodeAnomalies& an, DecodeOutcome& out) {
  constexpr uint8_t kProtoIpIp = 4, kProtoIpv6InIp = 41, kProtoGre = 47;
  if (p.proto != kProtoIpIp && p.proto != kProtoIpv6InIp && p.proto != kProtoGre) return false;
  if (p.tunnel_depth >= kMaxTunnelDepth) {
    an.add("tunnel.too_deep");
    return false;
  }
  if (p.proto == kProtoIpIp || p.proto == kProtoIpv6InIp) {
    ++p.tunnel_depth;
    out = decode_ip(p, d, n, an);
    return true;
  }
  // GRE: flags/version(2) protocol(2) [checksum+reserved(4)] [key(4)] [seq(4)]
  if (n < 4) {
    an.add("gre.truncated");
    return false;
  }
  uint16_t flags = be16(d);
  if ((flags & 0x7) != 0) return false;  // version 1 is PPTP's enhanced GRE: not a tunnel we open
  uint16_t type = be16(d + 2);
  uint32_t off = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
  if (off > n) {
    an.add("gre.truncated");
    return false;
  }
  const uint8_t* inner = d + off;
  uint32_t left = n - off;
  if (type == 0x88BE) {  // ERSPAN type II: 8-byte header, then Ethernet
    if (left < 8) {
      an.add("erspan.truncated");
      return false;
    }
    inner += 8;
    left -= 8;
    type = 0x6558;
  } else if (type == 0x22EB) {  // ERSPAN type III: 12 bytes (+8 with the O bit)
    if (left < 12) {
      an.add("erspan.truncated");
      return false;
    }
    uint32_t hl = (inner[11] & 0x01) ? 20 : 12;
    if (left < hl) {
      an.add("erspan.truncated");
      return false;
    }
    inner += hl;
    left -= hl;
    type = 0x6558;
  }
  ++p.tunnel_depth;
  if (type == 0x0800 || type == 0x86DD) {
    out = decode_ip(p, inner, left, an);
    return true;
  }
  if (type == 0x6558) {  // transparent Ethernet bridging: a whole frame
    out = decode_inner_ethernet(p, inner, left, an);
    return true;
  }
  --p.tunnel_depth;
  return false;  // other GRE payloads: a flow of the outer addresses
}

}  // namespace

std::string ip_proto_name(uint8_t proto) {
  switch (proto) {
    case kProtoTcp: return "TCP";
    case kProtoUdp: return "UDP";
    case kProtoIcmp: return "ICMP";
    case kProtoIcmpv6: return "IPv6-ICMP";
    default: return std::to_string(proto);
  }
}

DecodeOutcome decode_ip(Packet& p, const uint8_t* ip, uint32_t avail, DecodeAnomalies& an) {
  if (avail < 1) {
    an.add("ip.truncated");
    return DecodeOutcome::kBad;
  }
  switch (ip[0] >> 4) {
    case 4: return decode_ipv4(p, ip, avail, an);
    case 6: return decode_ipv6(p, ip, avail, an);
    default:
      an.add("ip.unknown_version");
      return DecodeOutcome::kBad;
  }
}

}  // namespace ms
