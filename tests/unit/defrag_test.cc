// IP fragment reassembly: order, overlaps (first copy wins), limits, timeout.
#include <gtest/gtest.h>

#include "decode/defrag.h"
#include "frame_builder.h"

using namespace mstest;

namespace {

const Ip4 kA{192, 168, 1, 10}, kB{192, 168, 1, 20};

// A UDP datagram of `n` payload bytes cut into fragments of `piece` bytes
// (a multiple of 8), returned as Ethernet frames.
std::vector<Frame> fragments(size_t n, size_t piece, char fill = 'x') {
  Frame udp = udp_header(5000, 2575, n);
  udp.insert(udp.end(), n, static_cast<uint8_t>(fill));
  std::vector<Frame> out;
  for (size_t off = 0; off < udp.size(); off += piece) {
    size_t len = std::min(piece, udp.size() - off);
    Frame body(udp.begin() + static_cast<long>(off), udp.begin() + static_cast<long>(off + len));
    uint16_t frag = static_cast<uint16_t>(off / 8) | (off + len < udp.size() ? 0x2000 : 0);
    out.push_back(ethernet(ipv4(kA, kB, 17, body, 77, frag)));
  }
  return out;
}

struct Result {
  bool done = false;
  std::vector<uint8_t> datagram;
  uint32_t frames = 0;
  ms::DecodeAnomalies an;
};

Result feed(ms::Defragmenter& d, const Frame& f, double ts = 1.0) {
  Result r;
  ms::Packet p = decode(f, ms::kLinkEthernet, ts);
  EXPECT_TRUE(p.is_fragment);
  uint64_t bytes = 0;
  r.done = d.add(p, r.datagram, r.frames, bytes, r.an);
  return r;
}

}  // namespace

TEST(Defrag, InOrderAndOutOfOrder) {
  for (bool reverse : {false, true}) {
    ms::Defragmenter d;
    auto frags = fragments(1000, 256);
    ASSERT_EQ(frags.size(), 4u);
    if (reverse) std::reverse(frags.begin(), frags.end());
    Result r;
    for (size_t i = 0; i < frags.size(); ++i) {
      r = feed(d, frags[i]);
      EXPECT_EQ(r.done, i + 1 == frags.size());
    }
    EXPECT_EQ(r.frames, 4u);
    ms::Packet p = decode(r.datagram, ms::kLinkRaw);
    ASSERT_TRUE(p.l4_ok);
    EXPECT_EQ(p.dport, 2575);
    EXPECT_EQ(p.payload_len, 1000u);
    EXPECT_EQ(d.buffered_bytes(), 0u);
  }
}

TEST(Defrag, OverlapFirstCopyWins) {
  ms::Defragmenter d;
  auto good = fragments(64, 32, 'g');
  auto evil = fragments(64, 32, 'e');
  feed(d, good[0]);
  Result r = feed(d, evil[0]);  // same offset, different bytes
  EXPECT_TRUE(has_reason(r.an, "ip.fragment_overlap_mismatch"));
  feed(d, good[1]);
  r = feed(d, good[2]);
  ASSERT_TRUE(r.done);
  ms::Packet p = decode(r.datagram, ms::kLinkRaw);
  ASSERT_TRUE(p.l4_ok);
  for (uint32_t i = 0; i < p.payload_len; ++i) ASSERT_EQ(p.payload[i], 'g');
}

TEST(Defrag, IdenticalOverlapIsReportedAsOverlap) {
  ms::Defragmenter d;
  auto f = fragments(64, 32);
  feed(d, f[0]);
  Result r = feed(d, f[0]);
  EXPECT_TRUE(has_reason(r.an, "ip.fragment_overlap"));
}

TEST(Defrag, OversizedDatagramIsDropped) {
  ms::Defragmenter d;
  Frame body(64, 0);
  // Offset 65528 + 64 bytes runs past 65,535 (the ping of death).
  Frame f = ethernet(ipv4(kA, kB, 17, body, 9, 8191));
  Result r = feed(d, f);
  EXPECT_FALSE(r.done);
  EXPECT_TRUE(has_reason(r.an, "ip.fragment_too_large"));
  EXPECT_EQ(d.stats().dropped, 1u);
}

TEST(Defrag, TimeoutAndLimits) {
  ms::DefragLimits lim;
  lim.max_datagrams = 2;
  ms::Defragmenter d(lim);
  auto f = fragments(64, 32);
  feed(d, f[0], 1.0);
  EXPECT_EQ(d.expire(static_cast<ms::TimeNs>(100e9)), 1u);
  EXPECT_EQ(d.buffered_bytes(), 0u);
  // A third concurrent datagram evicts the oldest.
  for (uint16_t id = 1; id <= 3; ++id) {
    Frame body(32, 0);
    Frame frame = ethernet(ipv4(kA, kB, 17, body, id, 0x2000));  // p points into it
    ms::Packet p = decode(frame);
    std::vector<uint8_t> out;
    uint32_t frames;
    uint64_t bytes;
    ms::DecodeAnomalies an;
    d.add(p, out, frames, bytes, an);
    if (id == 3) {
      EXPECT_TRUE(has_reason(an, "ip.fragment_table_full"));
    }
  }
  EXPECT_EQ(d.stats().evicted, 1u);
}

TEST(Defrag, TooManyPieces) {
  ms::DefragLimits lim;
  lim.max_fragments = 4;
  ms::Defragmenter d(lim);
  auto f = fragments(512, 64);
  Result r;
  for (size_t i = 0; i < 5; ++i) r = feed(d, f[i]);
  EXPECT_TRUE(has_reason(r.an, "ip.too_many_fragments"));
}
