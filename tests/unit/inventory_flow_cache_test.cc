// The aggregator's flow replay (Aggregator::add_flow): flows with the same
// signature replay the first one's updates. The observations table, the
// counters and the LRU evictions must be exactly those of adding every
// observation one by one, under the device cap and the peer cap too.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "inventory/aggregate.h"
#include "inventory/observe.h"
#include "inventory/store.h"

namespace {

using namespace ms;
using namespace ms::inv;

Event flow(const std::string& src, const std::string& dst, uint16_t port, TimeNs ts, uint64_t bytes, bool answered,
           uint8_t mac_last) {
  Event e;
  e.ts = ts;
  e.event_type = "flow";
  e.flow_id = static_cast<uint64_t>(ts);
  e.src_ip = src;
  e.dest_ip = dst;
  e.dest_port = port;
  auto f = std::make_unique<FlowRow>();
  f->flow_id = e.flow_id;
  f->src_ip = src;
  f->dest_ip = dst;
  f->proto = port == 53 ? "UDP" : "TCP";
  f->app_proto = port == 2575 ? "hl7" : port == 53 ? "dns" : "unknown";
  f->dest_port = port;
  f->start = ts;
  f->end = ts + 7;
  f->bytes_toserver = bytes;
  f->bytes_toclient = bytes / 2;
  f->answered = answered;
  f->data[0] = bytes > 0;
  f->ttl[0] = 64;
  f->ttl[1] = 128;
  f->has_mac[0] = true;
  uint8_t m[6] = {0x00, 0x09, 0x5c, 0x00, 0x00, mac_last};
  std::copy(m, m + 6, f->mac[0]);
  e.flow = std::move(f);
  return e;
}

// A mix: repeated client -> server conversations (the replayed case), a busy
// server with more clients than its peer cap, flows with no bytes, and more
// devices than the cap so that devices leave memory between repeats.
std::vector<Event> mix() {
  std::vector<Event> out;
  TimeNs t = 1'000'000;
  for (int round = 0; round < 3; ++round) {
    for (int c = 0; c < 40; ++c) {
      std::string client = "10.0.0." + std::to_string(1 + c % 9);
      out.push_back(flow(client, "10.0.1.5", 2575, t += 3, 100 + c, true, static_cast<uint8_t>(c % 9)));
      out.push_back(flow(client, "10.0.1.53", 53, t -= 1, 60, true, static_cast<uint8_t>(c % 9)));
      out.push_back(flow(client, "10.0.1.7", 443, t += 5, 0, true, static_cast<uint8_t>(c % 9)));  // no bytes
    }
    for (size_t c = 0; c < kMaxPeersPerDevice + 30; ++c) {  // over the server's peer cap
      std::string client = "10.2." + std::to_string(c / 250) + "." + std::to_string(1 + c % 250);
      out.push_back(flow(client, "10.0.1.9", 104, t += 2, 500, true, 1));
    }
    for (int c = 0; c < 20; ++c) out.push_back(flow("10.9.9." + std::to_string(c), "10.0.1.5", 22, t += 1, 0, false, 2));
  }
  return out;
}

std::vector<std::string> run(bool replay, size_t max_devices, Stats& st) {
  Db db(":memory:", true);
  std::vector<std::string> rows;
  {
    ObservationWriter w(db, "k", "f");
    Aggregator ag(max_devices, w, st);
    std::string sig;
    for (const Event& e : mix()) {
      if (replay && flow_signature(e, sig)) {
        ag.add_flow(sig, e.ts, e.flow->end, e.flow_id, e.flow->bytes_toserver + e.flow->bytes_toclient,
                    [&e](const ObservationSink& s) { observe(e, s); });
      } else {
        observe(e, [&ag](Observation&& o) { ag.add(std::move(o)); });
      }
    }
    ag.flush();
  }
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db.handle(),
                     "SELECT device, attr, value, source, confidence, first_ns, last_ns, count, bytes, flow_id "
                     "FROM observations ORDER BY device, attr, value, source",
                     -1, &q, nullptr);
  while (sqlite3_step(q) == SQLITE_ROW) {
    std::string r;
    for (int i = 0; i < 10; ++i) {
      const unsigned char* t = sqlite3_column_text(q, i);
      r += std::string(t ? reinterpret_cast<const char*>(t) : "null") + "|";
    }
    rows.push_back(r);
  }
  sqlite3_finalize(q);
  return rows;
}

TEST(InventoryFlowReplay, SameAsAddingEachObservation) {
  for (size_t cap : {size_t{100000}, size_t{6}}) {
    SCOPED_TRACE("device cap " + std::to_string(cap));
    Stats plain, replayed;
    auto a = run(false, cap, plain);
    auto b = run(true, cap, replayed);
    ASSERT_GT(a.size(), 100u);
    EXPECT_EQ(a, b);
    EXPECT_EQ(plain.observations, replayed.observations);
    EXPECT_EQ(plain.dropped, replayed.dropped);
    EXPECT_EQ(plain.evictions, replayed.evictions);
    EXPECT_EQ(plain.max_resident, replayed.max_resident);
    if (cap == 6) EXPECT_GT(plain.evictions, 0u);
    else EXPECT_GT(plain.dropped, 0u);  // the peer cap was reached
  }
}

TEST(InventoryFlowReplay, FloodsAreNotRemembered) {
  std::string sig;
  EXPECT_FALSE(flow_signature(flow("10.9.9.9", "10.0.1.5", 80, 1, 0, false, 3), sig));
  EXPECT_TRUE(flow_signature(flow("10.9.9.9", "10.0.1.5", 80, 1, 10, false, 3), sig));
  Event dns;
  dns.event_type = "dns";
  EXPECT_FALSE(flow_signature(dns, sig));
}

}  // namespace
