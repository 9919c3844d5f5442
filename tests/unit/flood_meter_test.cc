// Flood metering: thresholds over consecutive seconds, quiet end, the top
// sources (space-saving) and the distinct-source estimate (HyperLogLog), and
// the table's bound under a sweep of new destinations.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "decode/flood_meter.h"
#include "frame_builder.h"

using namespace mstest;

namespace {

const Ip4 kPacs{10, 20, 1, 50};

ms::IpAddr ip_of(uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                  static_cast<uint8_t>(v)};
  return ms::IpAddr::v4(b);
}

Ip4 ip4_of(uint32_t v) {
  return Ip4{static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
             static_cast<uint8_t>(v)};
}

// `n` SYNs from `src(i)` to `dst` at `pps`, starting at `t0` seconds.
template <typename Src>
void syns(ms::FloodMeter& m, ms::EventSink& out, Ip4 dst, size_t n, double pps, double t0, Src src) {
  for (size_t i = 0; i < n; ++i) {
    Frame f = tcp4(src(i), static_cast<uint16_t>(1024 + i % 60000), dst, 104, 1, 0, 0x02);
    m.on_packet(decode(f, ms::kLinkEthernet, t0 + static_cast<double>(i) / pps), out);
  }
}

const ms::FloodEvent* only_flood(const ms::VectorSink& s) {
  EXPECT_EQ(s.events.size(), 1u);
  if (s.events.size() != 1) return nullptr;
  EXPECT_EQ(s.events[0].event_type, "flood");
  return s.events[0].as<ms::FloodEvent>();
}

TEST(FloodMeter, SpoofedSynFloodIsOneEventWithEstimatedSources) {
  ms::FloodMeter m;
  ms::VectorSink out;
  std::mt19937 rng(7);
  syns(m, out, kPacs, 20000, 2000, 100.0, [&](size_t) { return ip4_of(rng()); });
  m.finish(out);
  const ms::FloodEvent* f = only_flood(out);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, ms::FloodKind::kSyn);
  EXPECT_EQ(f->target.str(), "10.20.1.50");
  EXPECT_EQ(f->port, 104);
  EXPECT_EQ(f->packets, 20000u);  // all ten seconds were over the rate
  EXPECT_EQ(f->seconds, 10u);
  EXPECT_EQ(f->peak_pps, 2000u);
  EXPECT_TRUE(f->ongoing);
  // 20,000 random sources: the estimate within 4 standard errors (26%).
  EXPECT_GT(f->distinct_sources, 14800u);
  EXPECT_LT(f->distinct_sources, 25200u);
  EXPECT_TRUE(f->top_sources.empty());  // none certainly above 1%
}

TEST(FloodMeter, FewSourcesAreNamedWithTheirCounts) {
  ms::FloodMeter m;
  ms::VectorSink out;
  // Three real attackers, 60/30/10 %, plus a trickle of one-off sources.
  syns(m, out, kPacs, 6000, 1000, 0.0, [](size_t i) {
    if (i % 20 == 19) return ip4_of(0x0a630000u + static_cast<uint32_t>(i));
    size_t k = i % 10;
    return k < 6 ? Ip4{10, 9, 0, 1} : k < 9 ? Ip4{10, 9, 0, 2} : Ip4{10, 9, 0, 3};
  });
  m.finish(out);
  const ms::FloodEvent* f = only_flood(out);
  ASSERT_NE(f, nullptr);
  ASSERT_GE(f->top_sources.size(), 3u);
  EXPECT_EQ(f->top_sources[0].ip.str(), "10.9.0.1");
  EXPECT_EQ(f->top_sources[1].ip.str(), "10.9.0.2");
  EXPECT_EQ(f->top_sources[2].ip.str(), "10.9.0.3");
  // Space-saving never undercounts: the guaranteed count is below the truth.
  EXPECT_LE(f->top_sources[0].count - f->top_sources[0].error, 3600u);
  EXPECT_GE(f->top_sources[0].count, 3600u);
}

TEST(FloodMeter, BelowTheRateOrTooShortIsNoFlood) {
  ms::FloodMeter m;
  ms::VectorSink out;
  // A busy archive: 400 new connections a second for ten seconds.
  syns(m, out, kPacs, 4000, 400, 0.0, [](size_t i) { return ip4_of(0x0a140000u + static_cast<uint32_t>(i % 50)); });
  // One second over the rate, then nothing: a burst, not a flood.
  syns(m, out, Ip4{10, 20, 1, 51}, 1500, 1500, 20.0, [](size_t i) { return ip4_of(0x0a140000u + static_cast<uint32_t>(i)); });
  m.finish(out);
  EXPECT_TRUE(out.events.empty());
}

TEST(FloodMeter, AStormOfRealClientsIsNoFloodButAFewHammeringHostsAre) {
  ms::FloodMeter m;
  ms::VectorSink out;
  // 40 clients each opening 20 connections a second (an HL7 feed that
  // connects per message): 800 a second, over the rate, from few sources
  // none of which sends a quarter of the rate.
  syns(m, out, kPacs, 8000, 800, 0.0, [](size_t i) { return ip4_of(0x0a140300u + static_cast<uint32_t>(i % 40)); });
  m.finish(out);
  EXPECT_TRUE(out.events.empty());
  // Three hosts at 300 a second each (hping3 without --rand-source).
  syns(m, out, kPacs, 9000, 900, 100.0, [](size_t i) { return ip4_of(0x0a090001u + static_cast<uint32_t>(i % 3)); });
  m.finish(out);
  const ms::FloodEvent* f = only_flood(out);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->top_sources.size(), 3u);
}

TEST(FloodMeter, AFloodEndsAfterQuietSecondsAndTheNextIsAnother) {
  ms::FloodMeter m;
  ms::VectorSink out;
  auto spoofed = [](size_t i) { return ip4_of(0xc6336400u + static_cast<uint32_t>(i)); };
  syns(m, out, kPacs, 3000, 1000, 0.0, spoofed);
  // Twelve seconds later (more than the 10 quiet seconds) a packet to
  // another address moves the clock: the first flood is reported, over.
  syns(m, out, Ip4{10, 20, 1, 99}, 1, 1, 15.0, spoofed);
  ASSERT_EQ(out.events.size(), 1u);
  const ms::FloodEvent* f = out.events[0].as<ms::FloodEvent>();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->ongoing);
  EXPECT_EQ(f->packets, 3000u);
  syns(m, out, kPacs, 3000, 1000, 30.0, spoofed);
  m.finish(out);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_GT(out.events[1].ts, out.events[0].ts);
}

TEST(FloodMeter, FragmentFloodAndAnsweredSyns) {
  ms::FloodMeter m;
  ms::VectorSink out;
  for (size_t i = 0; i < 5000; ++i) {
    Frame body(64, 0x41);
    Frame f = ethernet(ipv4(Ip4{10, 20, 9, static_cast<uint8_t>(10 + i % 2)}, Ip4{10, 20, 2, 31}, 17, body,
                            static_cast<uint16_t>(i), 0x2000));
    m.on_packet(decode(f, ms::kLinkEthernet, 50.0 + static_cast<double>(i) / 2000), out);
  }
  // A SYN flood the server answers (SYN-ACK to every spoofed source).
  for (size_t i = 0; i < 3000; ++i) {
    double t = 60.0 + static_cast<double>(i) / 1000;
    Ip4 src = ip4_of(0xc6336400u + static_cast<uint32_t>(i));
    m.on_packet(decode(tcp4(src, 2000, kPacs, 443, 1, 0, 0x02), ms::kLinkEthernet, t), out);
    m.on_packet(decode(tcp4(kPacs, 443, src, 2000, 9, 2, 0x12), ms::kLinkEthernet, t), out);
  }
  m.finish(out);
  ASSERT_EQ(out.events.size(), 2u);
  const ms::FloodEvent* frag = out.events[0].as<ms::FloodEvent>();
  const ms::FloodEvent* syn = out.events[1].as<ms::FloodEvent>();
  ASSERT_TRUE(frag && syn);
  EXPECT_EQ(frag->kind, ms::FloodKind::kFragment);
  EXPECT_EQ(frag->target.str(), "10.20.2.31");
  ASSERT_EQ(frag->top_sources.size(), 2u);
  EXPECT_EQ(frag->distinct_sources, 2u);
  EXPECT_EQ(syn->kind, ms::FloodKind::kSyn);
  EXPECT_EQ(syn->port, 443);
  // SYN-ACKs are counted from the second the flood is recognised.
  EXPECT_GT(syn->answered, 900u);
  EXPECT_LE(syn->answered, 3000u);
}

TEST(FloodMeter, TableStaysBoundedUnderASweepAndStillSeesTheFlood) {
  ms::FloodLimits lim;
  lim.max_targets = 512;
  ms::FloodMeter m(lim);
  ms::VectorSink out;
  // A scan of 40,000 addresses at 20,000 a second, with a SYN flood at
  // 1,000 a second against the archive interleaved.
  for (size_t i = 0; i < 40000; ++i) {
    double t = static_cast<double>(i) / 20000;
    Frame scan = tcp4(Ip4{10, 20, 7, 7}, 40000, ip4_of(0x0a140000u + static_cast<uint32_t>(i)), 104, 1, 0, 0x02);
    m.on_packet(decode(scan, ms::kLinkEthernet, t), out);
    if (i % 20 == 0) {
      Frame syn = tcp4(ip4_of(0xc6336400u + static_cast<uint32_t>(i)), 3000, kPacs, 104, 1, 0, 0x02);
      m.on_packet(decode(syn, ms::kLinkEthernet, t), out);
    }
  }
  m.finish(out);
  EXPECT_GT(m.stats().untracked, 0u);
  const ms::FloodEvent* f = only_flood(out);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target.str(), "10.20.1.50");
}

TEST(TopSources, NeverUndercountsAndKeepsHeavyHitters) {
  ms::TopSources t;
  for (uint32_t i = 0; i < 1000; ++i) {
    t.add(ip_of(1));
    t.add(ip_of(100 + i));  // 1,000 one-off sources
  }
  auto top = t.top(2000, 0.01);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].ip, ip_of(1));
  EXPECT_GE(top[0].count, 1000u);
}

TEST(DistinctCounter, EstimatesWithinTheErrorAndIgnoresRepeats) {
  for (uint32_t n : {10u, 100u, 1000u, 50000u}) {
    ms::DistinctCounter d;
    for (uint32_t i = 0; i < n; ++i) {
      d.add(ip_of(0x0a000000u + i));
      d.add(ip_of(0x0a000000u + i));  // a repeat changes nothing
    }
    // Linear counting below 640, HyperLogLog above: 4 standard errors.
    double err = 0.26 * n + 1;
    EXPECT_NEAR(static_cast<double>(d.estimate()), n, err) << n;
  }
}

}  // namespace
