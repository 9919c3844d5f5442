// Link-layer decoding: from a capture record to the start of the IP datagram.
#include "common/bytes.h"
#include "decode/decoder.h"

namespace ms {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86DD;
constexpr uint16_t kEthVlan = 0x8100;
constexpr uint16_t kEthQinQ = 0x88A8;
constexpr uint16_t kEthQinQOld = 0x9100;
constexpr uint16_t kEthPppoeSession = 0x8864;
constexpr uint16_t kEthMplsUnicast = 0x8847;
constexpr uint16_t kEthMplsMulticast = 0x8848;
constexpr int kMaxTags = 8;  // tags walked before the frame is called bad

// Guesses IPv4/IPv6 from the version nibble (raw IP, MPLS payloads).
DecodeOutcome decode_by_version(Packet& p, const uint8_t* d, uint32_t n, DecodeAnomalies& an) {
  if (n < 1) {
    an.add("ip.truncated");
    return DecodeOutcome::kBad;
  }
  uint8_t v = d[0] >> 4;
  if (v == 4 || v == 6) return decode_ip(p, d, n, an);
  an.add("ip.unknown_version");
  return DecodeOutcome::kBad;
}

// Walks ethertypes: VLAN tags, PPPoE, MPLS, then IP. `off` is where the
// 2-byte ethertype field starts.
DecodeOutcome decode_ethertype(Packet& p, const uint8_t* d, uint32_t n, uint32_t off, DecodeAnomalies& an) {
  for (int tags = 0;; ++tags) {
    if (off + 2 > n) {
      an.add("eth.truncated");
      return DecodeOutcome::kBad;
    }
    uint16_t et = be16(d + off);
    off += 2;
    p.ethertype = et;
    switch (et) {
      case kEthIpv4:
      case kEthIpv6:
        return decode_ip(p, d + off, n - off, an);
      case kEthVlan:
      case kEthQinQ:
      case kEthQinQOld:
        if (tags >= kMaxTags) {
          an.add("vlan.too_many_tags");
          return DecodeOutcome::kBad;
        }
        if (off + 2 > n) {
          an.add("vlan.truncated");
          return DecodeOutcome::kBad;
        }
        if (p.vlan_count < kMaxVlans) {
          p.vlan[p.vlan_count++] = be16(d + off) & 0x0FFF;
        } else {
          an.add("vlan.more_than_two_tags");
        }
        off += 2;  // TCI; the loop reads the inner ethertype
        continue;
      case kEthPppoeSession: {
        // RFC 2516 §4: ver/type, code, session id, length, then PPP protocol.
        if (off + 8 > n) {
          an.add("pppoe.truncated");
          return DecodeOutcome::kBad;
        }
        uint16_t ppp = be16(d + off + 6);
        off += 8;
        if (ppp == 0x0021 || ppp == 0x0057) return decode_by_version(p, d + off, n - off, an);
        return DecodeOutcome::kNonIp;
      }
      case kEthMplsUnicast:
      case kEthMplsMulticast:
        // RFC 3032: 4-byte label entries until the bottom-of-stack bit.
        for (int labels = 0;; ++labels) {
          if (off + 4 > n || labels >= kMaxTags) {
            an.add("mpls.bad_label_stack");
            return DecodeOutcome::kBad;
          }
          bool bottom = d[off + 2] & 0x01;
          off += 4;
          if (bottom) break;
        }
        return decode_by_version(p, d + off, n - off, an);
      default:
        // ARP, LLDP, 802.3 length fields (LLC: CDP, STP) and the rest.
        p.l2_payload = d + off;
        p.l2_payload_len = n - off;
        return DecodeOutcome::kNonIp;
    }
  }
}

}  // namespace

DecodeOutcome decode_inner_ethernet(Packet& p, const uint8_t* frame, uint32_t avail, DecodeAnomalies& an) {
  if (avail < 14) {
    an.add("eth.truncated");
    return DecodeOutcome::kBad;
  }
  p.dst_mac = frame;
  p.src_mac = frame + 6;
  p.vlan_count = 0;
  p.vlan[0] = p.vlan[1] = 0;
  return decode_ethertype(p, frame, avail, 12, an);
}

bool link_type_supported(int dlt) {
  switch (dlt) {
    case kLinkNull: case kLinkEthernet: case kLinkRawAlt: case kLinkRawAlt2: case kLinkRaw:
    case kLinkLoop: case kLinkSll: case kLinkIpv4: case kLinkIpv6: case kLinkSll2:
      return true;
    default:
      return false;
  }
}

DecodeOutcome decode_packet(Packet& p, DecodeAnomalies& an) {
  const uint8_t* d = p.data;
  const uint32_t n = p.caplen;
  switch (p.linktype) {
    case kLinkEthernet:
      if (n < 14) {
        an.add("eth.truncated");
        return DecodeOutcome::kBad;
      }
      p.dst_mac = d;
      p.src_mac = d + 6;
      return decode_ethertype(p, d, n, 12, an);
    case kLinkSll:
      // Linux cooked v1: type(2) arphrd(2) addrlen(2) addr(8) protocol(2).
      if (n < 16) {
        an.add("sll.truncated");
        return DecodeOutcome::kBad;
      }
      if (be16(d + 4) == 6) p.src_mac = d + 6;
      return decode_ethertype(p, d, n, 14, an);
    case kLinkSll2:
      // Linux cooked v2: protocol(2) reserved(2) ifindex(4) arphrd(2)
      // pkttype(1) addrlen(1) addr(8).
      if (n < 20) {
        an.add("sll2.truncated");
        return DecodeOutcome::kBad;
      }
      if (d[11] == 6) p.src_mac = d + 12;
      {
        // The protocol comes first in v2; reuse the ethertype walk by
        // decoding the payload after the 20-byte header.
        uint16_t et = be16(d);
        p.ethertype = et;
        if (et == kEthIpv4 || et == kEthIpv6) return decode_ip(p, d + 20, n - 20, an);
        if (et == kEthVlan || et == kEthQinQ || et == kEthQinQOld) {
          // Tagged payload: TCI then inner ethertype follow the header.
          if (n < 24) {
            an.add("vlan.truncated");
            return DecodeOutcome::kBad;
          }
          if (p.vlan_count < kMaxVlans) p.vlan[p.vlan_count++] = be16(d + 20) & 0x0FFF;
          return decode_ethertype(p, d, n, 22, an);
        }
        return DecodeOutcome::kNonIp;
      }
    case kLinkNull:
    case kLinkLoop: {
      if (n < 4) {
        an.add("loopback.truncated");
        return DecodeOutcome::kBad;
      }
      // DLT_NULL is in the writer's byte order; accept both. AF_INET is 2
      // everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28
      // (FreeBSD), 30 (macOS).
      uint32_t fam = p.linktype == kLinkLoop ? be32(d) : le32(d);
      if (fam > 0xFFFF) fam = be32(d);
      if (fam == 2) return decode_ip(p, d + 4, n - 4, an);
      if (fam == 10 || fam == 24 || fam == 28 || fam == 30) return decode_ip(p, d + 4, n - 4, an);
      return DecodeOutcome::kNonIp;
    }
    case kLinkRaw:
    case kLinkRawAlt:
    case kLinkRawAlt2:
      return decode_by_version(p, d, n, an);
    case kLinkIpv4:
    case kLinkIpv6:
      return decode_ip(p, d, n, an);
    default:
      an.add("link.unsupported");
      return DecodeOutcome::kBad;
  }
}

}  // namespace ms
