// Decoder: each link type, IPv4/IPv6 with extension headers, and malformed
// or truncated layers (which must be reported, never read past).
#include <gtest/gtest.h>

#include "frame_builder.h"

using namespace mstest;
using ms::DecodeAnomalies;
using ms::DecodeOutcome;

namespace {
const Ip4 kA{10, 0, 0, 1}, kB{10, 0, 0, 2};
}

TEST(Decode, EthernetIpv4Tcp) {
  Frame f = tcp4(kA, 40000, kB, 104, 1000, 2000, ms::kTcpSyn | ms::kTcpAck, "hello");
  ms::Packet p = decode(f);
  ASSERT_TRUE(p.l4_ok);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.src.str(), "10.0.0.1");
  EXPECT_EQ(p.dst.str(), "10.0.0.2");
  EXPECT_EQ(p.proto, ms::kProtoTcp);
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 104);
  EXPECT_EQ(p.seq, 1000u);
  EXPECT_EQ(p.ack, 2000u);
  EXPECT_EQ(p.tcp_flags, ms::kTcpSyn | ms::kTcpAck);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(p.payload), p.payload_len), "hello");
}

TEST(Decode, VlanAndQinQ) {
  Frame ip = ipv4(kA, kB, 17, udp_header(1, 2, 0));
  ms::Packet p = decode(ethernet(ip, 0x0800, {0x2064, 0x0005}));
  ASSERT_TRUE(p.l4_ok);
  ASSERT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.vlan[0], 100);  // priority bits are masked off
  EXPECT_EQ(p.vlan[1], 5);
}

TEST(Decode, EthernetPaddingIsNotPayload) {
  Frame f = udp4(kA, 5000, kB, 53, "ab");
  f.resize(60, 0);  // minimum Ethernet frame, padded
  ms::Packet p = decode(f);
  ASSERT_TRUE(p.l4_ok);
  EXPECT_EQ(p.payload_len, 2u);
}

TEST(Decode, LinuxCookedV1AndV2) {
  Frame ip = ipv4(kA, kB, 17, udp_header(1, 2, 0));
  Frame sll = {0, 0, 0, 1, 0, 6, 0, 0x1b, 0x21, 1, 2, 3, 0, 0};
  put16(sll, 0x0800);
  sll.insert(sll.end(), ip.begin(), ip.end());
  EXPECT_TRUE(decode(sll, ms::kLinkSll).l4_ok);

  Frame sll2;
  put16(sll2, 0x0800);
  put16(sll2, 0);
  put32(sll2, 2);
  put16(sll2, 1);
  sll2.push_back(0);
  sll2.push_back(6);
  for (int i = 0; i < 8; ++i) sll2.push_back(static_cast<uint8_t>(i));
  sll2.insert(sll2.end(), ip.begin(), ip.end());
  ms::Packet p = decode(sll2, ms::kLinkSll2);
  EXPECT_TRUE(p.l4_ok);
  EXPECT_EQ(p.src.str(), "10.0.0.1");
}

TEST(Decode, BsdLoopbackBothByteOrders) {
  Frame ip = ipv4(kA, kB, 17, udp_header(1, 2, 0));
  Frame le = {2, 0, 0, 0};
  le.insert(le.end(), ip.begin(), ip.end());
  EXPECT_TRUE(decode(le, ms::kLinkNull).l4_ok);
  Frame be = {0, 0, 0, 2};
  be.insert(be.end(), ip.begin(), ip.end());
  EXPECT_TRUE(decode(be, ms::kLinkNull).l4_ok);
  EXPECT_TRUE(decode(be, ms::kLinkLoop).l4_ok);
  Frame v6 = {30, 0, 0, 0};
  Frame ip6 = ipv6(1, 2, 17, udp_header(1, 2, 0));
  v6.insert(v6.end(), ip6.begin(), ip6.end());
  EXPECT_EQ(decode(v6, ms::kLinkNull).ip_version, 6);
}

TEST(Decode, RawIp) {
  EXPECT_TRUE(decode(ipv4(kA, kB, 17, udp_header(1, 2, 0)), ms::kLinkRaw).l4_ok);
  EXPECT_TRUE(decode(ipv6(1, 2, 17, udp_header(1, 2, 0)), ms::kLinkIpv6).l4_ok);
}

TEST(Decode, Ipv6ExtensionHeaders) {
  Frame tcp = tcp_header(1234, 443, 1, 0, ms::kTcpSyn);
  Frame dst = {ms::kProtoTcp, 0, 1, 4, 0, 0, 0, 0};  // destination options, PadN
  dst.insert(dst.end(), tcp.begin(), tcp.end());
  Frame hop = {ms::kProtoIpv6DstOpts, 0, 1, 4, 0, 0, 0, 0};
  hop.insert(hop.end(), dst.begin(), dst.end());
  ms::Packet p = decode(ethernet(ipv6(1, 2, ms::kProtoHopOpts, hop), 0x86DD));
  ASSERT_TRUE(p.l4_ok);
  EXPECT_EQ(p.proto, ms::kProtoTcp);
  EXPECT_EQ(p.dport, 443);
  EXPECT_EQ(p.l3_hdr_len, 56u);
}

TEST(Decode, Ipv6FragmentHeader) {
  Frame frag = {ms::kProtoUdp, 0, 0, 8 | 1, 0, 0, 0x12, 0x34};  // offset 1 (8 bytes), M=1
  frag.insert(frag.end(), 16, 0xAA);
  ms::Packet p = decode(ethernet(ipv6(1, 2, ms::kProtoIpv6Frag, frag), 0x86DD));
  EXPECT_TRUE(p.is_fragment);
  EXPECT_EQ(p.frag_offset, 8u);
  EXPECT_TRUE(p.frag_more);
  EXPECT_EQ(p.frag_id, 0x1234u);
  EXPECT_EQ(p.frag_len, 16u);
}

TEST(Decode, MalformedLayersAreReported) {
  DecodeAnomalies an;
  Frame bad_ihl = ipv4(kA, kB, 17, udp_header(1, 2, 0));
  bad_ihl[0] = 0x44;  // IHL 16 bytes
  decode(ethernet(bad_ihl), ms::kLinkEthernet, 1, &an);
  EXPECT_TRUE(has_reason(an, "ipv4.bad_header_length"));

  Frame short_total = ipv4(kA, kB, 17, udp_header(1, 2, 0));
  short_total[2] = 0;
  short_total[3] = 40;  // claims more than present, and not cut by a snap length
  decode(ethernet(short_total), ms::kLinkEthernet, 1, &an);
  EXPECT_TRUE(has_reason(an, "ipv4.truncated"));

  Frame udp = udp_header(1, 2, 0);
  udp[5] = 4;  // UDP length below the header size
  decode(ethernet(ipv4(kA, kB, 17, udp)), ms::kLinkEthernet, 1, &an);
  EXPECT_TRUE(has_reason(an, "udp.bad_length"));

  Frame tcp = tcp_header(1, 2, 0, 0, 0);
  tcp[12] = 0x30;  // data offset 12 bytes
  decode(ethernet(ipv4(kA, kB, 6, tcp)), ms::kLinkEthernet, 1, &an);
  EXPECT_TRUE(has_reason(an, "tcp.bad_header_length"));
}

TEST(Decode, EveryPrefixIsSafe) {
  // Cut a complex frame at every length: the decoder must report, not read
  // past the end (ASan/UBSan builds run this too).
  Frame tcp = tcp_header(1234, 443, 1, 0, ms::kTcpSyn);
  Frame hop = {ms::kProtoTcp, 0, 1, 4, 0, 0, 0, 0};
  hop.insert(hop.end(), tcp.begin(), tcp.end());
  Frame full = ethernet(ipv6(1, 2, ms::kProtoHopOpts, hop), 0x86DD, {7, 8});
  for (size_t n = 0; n <= full.size(); ++n) {
    Frame cut(full.begin(), full.begin() + static_cast<long>(n));
    ms::Packet p;
    p.data = cut.data();
    p.caplen = p.wirelen = static_cast<uint32_t>(n);
    DecodeAnomalies an;
    DecodeOutcome out = ms::decode_packet(p, an);
    if (n < full.size()) {
      EXPECT_FALSE(out == DecodeOutcome::kIp && p.l4_ok && an.n == 0) << "length " << n;
    } else {
      EXPECT_TRUE(p.l4_ok);
    }
  }
}

TEST(Decode, SnapLengthCutIsNotAnAnomaly) {
  Frame f = tcp4(kA, 1, kB, 2, 0, 0, ms::kTcpAck, std::string(100, 'x'));
  ms::Packet p;
  p.data = f.data();
  p.caplen = 60;
  p.wirelen = static_cast<uint32_t>(f.size());
  DecodeAnomalies an;
  ms::decode_packet(p, an);
  EXPECT_EQ(an.n, 0);
  EXPECT_TRUE(p.l3_truncated);
  EXPECT_TRUE(p.l4_ok);
}

TEST(Decode, NonIpFrames) {
  Frame arp(28, 0);
  DecodeAnomalies an;
  ms::Packet p;
  Frame f = ethernet(arp, 0x0806);
  p.data = f.data();
  p.caplen = p.wirelen = static_cast<uint32_t>(f.size());
  EXPECT_EQ(ms::decode_packet(p, an), DecodeOutcome::kNonIp);
  EXPECT_EQ(an.n, 0);
}

TEST(Decode, Ipv6InIpv4TunnelIsOpened) {
  Frame inner = ipv6(1, 2, ms::kProtoUdp, udp_header(38159, 514, 0));
  ms::Packet p = decode(ethernet(ipv4(kA, kB, 41, inner)));
  ASSERT_TRUE(p.l4_ok);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.dport, 514);
  EXPECT_EQ(p.tunnel_depth, 1);
}

TEST(Decode, GreErspanTypeIICarriesAWholeFrame) {
  // Inner frame: a tagged Ethernet frame with a TCP segment.
  Frame inner = ethernet(ipv4(Ip4{172, 16, 0, 1}, Ip4{172, 16, 0, 2}, 6, tcp_header(1234, 104, 1, 0, ms::kTcpSyn)),
                         0x0800, {42});
  Frame gre = {0x10, 0x00, 0x88, 0xBE, 0, 0, 0, 7};  // S bit, ERSPAN II, sequence number
  Frame erspan = {0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0};  // version 1, VLAN 1, session 5
  gre.insert(gre.end(), erspan.begin(), erspan.end());
  gre.insert(gre.end(), inner.begin(), inner.end());
  ms::Packet p = decode(ethernet(ipv4(kA, kB, 47, gre)));
  ASSERT_TRUE(p.l4_ok);
  EXPECT_EQ(p.src.str(), "172.16.0.1");
  EXPECT_EQ(p.dport, 104);
  ASSERT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlan[0], 42);  // the mirrored VLAN, not the transport's
}

TEST(Decode, NestedTunnelsAreBounded) {
  Frame pkt = ipv4(kA, kB, 17, udp_header(1, 2, 0));
  for (int i = 0; i < 6; ++i) pkt = ipv4(kA, kB, 4, pkt);  // IP-in-IP, six deep
  DecodeAnomalies an;
  ms::Packet p = decode(ethernet(pkt), ms::kLinkEthernet, 1, &an);
  EXPECT_TRUE(has_reason(an, "tunnel.too_deep"));
  EXPECT_LE(p.tunnel_depth, 3);
}
