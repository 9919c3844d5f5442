// Flow engine: keys and orientation, TCP state and port reuse, timeouts,
// eviction, deterministic ids, and the dissector interface (probing by
// content, ordered delivery, incomplete units, gaps) through a test
// dissector that speaks a length-prefixed protocol ("MSTP" + 1-byte length).
#include <gtest/gtest.h>

#include <map>

#include "flow/flow_engine.h"
#include "frame_builder.h"

using namespace mstest;

namespace {

const Ip4 kC{10, 1, 0, 5}, kS{10, 1, 0, 9};

// --- A test-only dissector: messages "MSTP" <len> <len bytes> -------------
struct Seen {
  std::vector<std::string> messages;
  std::vector<uint64_t> gaps;
  int ends = 0;
};
Seen g_seen;

class TestProtoDissector : public ms::Dissector {
 public:
  ms::AppResult on_data(ms::Direction dir, ms::Bytes d, ms::AppContext& ctx) override {
    size_t pos = 0;
    while (pos < d.size()) {
      if (d.size() - pos < 5) return ms::AppResult::incomplete(static_cast<uint32_t>(pos), 5);
      if (std::string(reinterpret_cast<const char*>(d.data() + pos), 4) != "MSTP") {
        return ms::AppResult::fail("testproto.bad_magic");
      }
      size_t len = d[pos + 4];
      if (d.size() - pos < 5 + len) {
        return ms::AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(5 + len));
      }
      g_seen.messages.emplace_back(reinterpret_cast<const char*>(d.data() + pos + 5), len);
      ms::EventBuilder b(ctx.envelope(), "testproto");
      b.w().kv("dir", static_cast<int>(dir));
      ctx.emit(b.finish());
      pos += 5 + len;
    }
    return ms::AppResult::ok();
  }
  void on_gap(ms::Direction, uint64_t len, ms::AppContext&) override { g_seen.gaps.push_back(len); }
  void on_end(ms::AppContext&) override { ++g_seen.ends; }
};

ms::ProbeResult probe_testproto(ms::Direction, ms::Bytes d) {
  static const char kMagic[] = "MSTP";
  size_t n = std::min<size_t>(d.size(), 4);
  if (std::memcmp(d.data(), kMagic, n) != 0) return ms::ProbeResult::kNoMatch;
  return n < 4 ? ms::ProbeResult::kNeedMore : ms::ProbeResult::kMatch;
}

MS_REGISTER_DISSECTOR(testproto, ms::DissectorSpec{
    "testproto", ms::kTransportTcp, {4242}, probe_testproto,
    [] { return std::unique_ptr<ms::Dissector>(new TestProtoDissector); }});

std::string msg(const std::string& body) { return "MSTP" + std::string(1, static_cast<char>(body.size())) + body; }

// --- Helpers -----------------------------------------------------------------
struct Harness {
  ms::FlowConfig cfg;
  ms::VectorSink sink;
  std::unique_ptr<ms::FlowEngine> engine;
  std::vector<Frame> keep;
  Harness() { engine = std::make_unique<ms::FlowEngine>(cfg, sink); }
  explicit Harness(const ms::FlowConfig& c) : cfg(c) { engine = std::make_unique<ms::FlowEngine>(cfg, sink); }
  void send(const Frame& f, double ts) {
    keep.push_back(f);
    ms::Packet p = decode(keep.back(), ms::kLinkEthernet, ts);
    engine->process(p);
  }
  std::vector<const ms::Event*> of_type(const std::string& t) const {
    std::vector<const ms::Event*> v;
    for (const auto& e : sink.events) {
      if (e.event_type == t) v.push_back(&e);
    }
    return v;
  }
};

void handshake(Harness& h, uint16_t cport, uint16_t sport, double t) {
  h.send(tcp4(kC, cport, kS, sport, 100, 0, ms::kTcpSyn), t);
  h.send(tcp4(kS, sport, kC, cport, 500, 101, ms::kTcpSyn | ms::kTcpAck), t + 0.001);
  h.send(tcp4(kC, cport, kS, sport, 101, 501, ms::kTcpAck), t + 0.002);
}

}  // namespace

TEST(FlowEngine, BothDirectionsAreOneFlow) {
  Harness h;
  handshake(h, 40000, 80, 1.0);
  h.send(tcp4(kC, 40000, kS, 80, 101, 501, ms::kTcpAck | ms::kTcpPsh, "GET / HTTP/1.0\r\n\r\n"), 1.01);
  h.send(tcp4(kS, 80, kC, 40000, 501, 119, ms::kTcpAck | ms::kTcpPsh, "HTTP/1.0 200 OK\r\n\r\n"), 1.02);
  h.engine->finish(static_cast<ms::TimeNs>(2e9));
  auto flows = h.of_type("flow");
  ASSERT_EQ(flows.size(), 1u);
  const ms::FlowRow& r = *flows[0]->flow;
  EXPECT_EQ(r.src_ip, "10.1.0.5");
  EXPECT_EQ(r.dest_port, 80);
  EXPECT_EQ(r.pkts_toserver, 3u);
  EXPECT_EQ(r.pkts_toclient, 2u);
  EXPECT_EQ(r.state, "established");
  EXPECT_EQ(r.reason, "end_of_capture");
  EXPECT_EQ(r.app_proto, "http");  // recognised by content (the HTTP dissector is linked in)
}

TEST(FlowEngine, SynAckFirstSetsClientCorrectly) {
  Harness h;
  h.send(tcp4(kS, 443, kC, 50000, 500, 101, ms::kTcpSyn | ms::kTcpAck), 1.0);
  h.send(tcp4(kC, 50000, kS, 443, 101, 501, ms::kTcpAck), 1.001);
  h.engine->finish(static_cast<ms::TimeNs>(2e9));
  auto flows = h.of_type("flow");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0]->flow->src_ip, "10.1.0.5");
  EXPECT_EQ(flows[0]->flow->src_port, 50000);
  EXPECT_EQ(flows[0]->flow->pkts_toserver, 1u);
}

TEST(FlowEngine, PortReuseAfterCloseStartsNewFlow) {
  Harness h;
  handshake(h, 40001, 104, 1.0);
  h.send(tcp4(kC, 40001, kS, 104, 101, 501, ms::kTcpFin | ms::kTcpAck), 1.1);
  h.send(tcp4(kS, 104, kC, 40001, 501, 102, ms::kTcpFin | ms::kTcpAck), 1.2);
  h.send(tcp4(kC, 40001, kS, 104, 102, 502, ms::kTcpAck), 1.3);
  handshake(h, 40001, 104, 2.0);
  h.engine->finish(static_cast<ms::TimeNs>(3e9));
  auto flows = h.of_type("flow");
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0]->flow->reason, "tcp_closed");
  EXPECT_EQ(flows[0]->flow->pkts_toserver + flows[0]->flow->pkts_toclient, 6u);
  EXPECT_NE(flows[0]->flow_id, flows[1]->flow_id);
}

TEST(FlowEngine, IdleTimeoutSplitsAndSweepExpires) {
  Harness h;
  h.send(udp4(kC, 5353, kS, 53, "q"), 1.0);
  h.send(udp4(kC, 5353, kS, 53, "q"), 1.0 + 200);  // UDP timeout is 120 s
  h.engine->advance(static_cast<ms::TimeNs>((1.0 + 200 + 121) * 1e9));
  auto flows = h.of_type("flow");
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0]->flow->reason, "timeout");
  EXPECT_EQ(flows[1]->flow->reason, "timeout");
  EXPECT_EQ(h.engine->active_flows(), 0u);
}

TEST(FlowEngine, MemoryCapEvictsLeastRecentlySeen) {
  ms::FlowConfig cfg;
  cfg.max_flows = 3;
  Harness h(cfg);
  for (uint16_t i = 0; i < 5; ++i) h.send(udp4(kC, static_cast<uint16_t>(1000 + i), kS, 53, "q"), 1.0 + i);
  auto flows = h.of_type("flow");
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0]->flow->reason, "evicted");
  EXPECT_EQ(flows[0]->flow->src_port, 1000);
  EXPECT_EQ(flows[1]->flow->src_port, 1001);
  EXPECT_EQ(h.engine->stats().ended_evicted, 2u);
  EXPECT_EQ(h.engine->active_flows(), 3u);
  EXPECT_EQ(h.of_type("anomaly").size(), 2u);
}

TEST(FlowEngine, FlowIdsAreDeterministic) {
  std::vector<uint64_t> ids[2];
  for (auto& v : ids) {
    ms::FlowConfig cfg;
    cfg.hash_seed = &v == &ids[0] ? 1 : 99;  // table seed must not matter
    Harness h(cfg);
    h.send(udp4(kC, 1, kS, 2, "x"), 1.0);
    h.send(udp4(kC, 3, kS, 4, "x"), 1.5);
    h.engine->finish(static_cast<ms::TimeNs>(2e9));
    for (auto* e : h.of_type("flow")) v.push_back(e->flow_id);
  }
  EXPECT_EQ(ids[0], ids[1]);
}

TEST(FlowEngine, DissectorGetsOrderedBytesAndUnits) {
  g_seen = {};
  Harness h;
  handshake(h, 40100, 9999, 1.0);  // not a hinted port: content decides
  std::string stream = msg("one") + msg("two") + msg("three");
  // Deliver out of order, split inside the messages.
  std::string a = stream.substr(0, 6), b = stream.substr(6, 7), c = stream.substr(13);
  h.send(tcp4(kC, 40100, kS, 9999, 101 + 13, 501, ms::kTcpAck, c), 1.1);
  h.send(tcp4(kC, 40100, kS, 9999, 101, 501, ms::kTcpAck, a), 1.2);
  h.send(tcp4(kC, 40100, kS, 9999, 101 + 6, 501, ms::kTcpAck, b), 1.3);
  h.engine->finish(static_cast<ms::TimeNs>(2e9));
  EXPECT_EQ(g_seen.messages, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(g_seen.ends, 1);
  EXPECT_EQ(h.of_type("testproto").size(), 3u);
  ASSERT_EQ(h.of_type("flow").size(), 1u);
  EXPECT_EQ(h.of_type("flow")[0]->flow->app_proto, "testproto");
}

TEST(FlowEngine, GapIsReportedToDissector) {
  g_seen = {};
  Harness h;
  handshake(h, 40200, 4242, 1.0);
  h.send(tcp4(kC, 40200, kS, 4242, 101, 501, ms::kTcpAck, msg("a")), 1.1);
  // 6 bytes lost, then the server acknowledges everything.
  h.send(tcp4(kC, 40200, kS, 4242, 101 + 12, 501, ms::kTcpAck, msg("c")), 1.2);
  h.send(tcp4(kS, 4242, kC, 40200, 501, 101 + 18, ms::kTcpAck), 1.3);
  h.engine->finish(static_cast<ms::TimeNs>(2e9));
  EXPECT_EQ(g_seen.messages, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(g_seen.gaps, std::vector<uint64_t>{6});
}

TEST(FlowEngine, NonMatchingContentIsUnknownAndMidstreamIsFlagged) {
  Harness h;
  h.send(tcp4(kC, 40300, kS, 4242, 7, 9, ms::kTcpAck, "HELLO not our protocol"), 1.0);
  h.engine->finish(static_cast<ms::TimeNs>(2e9));
  auto flows = h.of_type("flow");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0]->flow->app_proto, "unknown");
  EXPECT_NE(flows[0]->json.find("\"midstream\":true"), std::string::npos);
}

TEST(FlowEngine, DissectorErrorIsAnAnomaly) {
  g_seen = {};
  Harness h;
  handshake(h, 40400, 4242, 1.0);
  h.send(tcp4(kC, 40400, kS, 4242, 101, 501, ms::kTcpAck, msg("ok") + "JUNKJUNK"), 1.1);
  h.engine->finish(static_cast<ms::TimeNs>(2e9));
  auto an = h.of_type("anomaly");
  ASSERT_EQ(an.size(), 1u);
  EXPECT_NE(an[0]->json.find("testproto.bad_magic"), std::string::npos);
  EXPECT_EQ(h.engine->stats().app_errors, 1u);
}
