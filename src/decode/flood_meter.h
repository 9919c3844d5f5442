// Flood metering on the reader thread (issue 14, docs/decisions.md "Floods").
//
// A SYN flood from spoofed sources or a fragment flood is one packet per
// "flow" and never completes anything, so the flow and detection stages see
// it only as a million unrelated attempts. The meter counts, per destination
// and per second of packet time, the packets a flood is made of — TCP SYNs
// without ACK, IP fragments — in a bounded table, and reports each flood once
// as a typed `flood` event: the target, how long, how many packets, the peak
// rate, about how many distinct sources (HyperLogLog) and the heaviest sources
// (space-saving top-K). The rule is Snort's `detection_filter: track by_dst,
// count N, seconds 1` held for a few consecutive seconds.
//
// Work per packet is constant (one hash lookup, a few counters), whatever the
// number of sources; memory is bounded by FloodLimits::max_targets. Runs in
// capture order on one thread, so results do not depend on the worker count.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/types.h"
#include "decode/packet.h"
#include "events/event.h"

namespace ms {

struct FloodLimits {
  uint32_t syn_per_second = 500;    // SYNs (no ACK) to one address in one second
  uint32_t frag_per_second = 1000;  // IP fragments to one address in one second
  uint32_t min_seconds = 2;         // consecutive seconds at the rate before it is a flood
  // A second of SYNs over the rate is a flood's only when they come from many
  // sources (forged: at least this many distinct in the second) or one source
  // sends at least syn_per_second / 4 of them. Many real clients each opening
  // a few connections a second (an HL7 feed that connects per message, a
  // ward's workstations reconnecting) complete their handshakes: a storm, not
  // an attack (the bench's clinical mix has one: 844 new connections a
  // second from 33 clients to its HL7 engine).
  uint32_t syn_min_sources = 128;
  uint32_t quiet_seconds = 10;      // a flood ends after this long below the rate
  size_t max_targets = 16384;       // destinations metered at once (~700 bytes each)
};

enum class FloodKind : uint8_t { kSyn = 0, kFragment = 1 };
const char* flood_kind_name(FloodKind k);

// The heaviest sources of a flood: the space-saving algorithm (Metwally,
// Agrawal, El Abbadi, "Efficient computation of frequent and top-k elements in
// data streams", ICDT 2005). A counter's true count is within [count-error,
// count]; any source above 1/K of the packets is in the table.
class TopSources {
 public:
  static constexpr size_t kK = 8;
  struct Entry {
    IpAddr ip;
    uint64_t count = 0, error = 0;
  };
  void add(const IpAddr& ip);
  // The sources certainly above `min_share` of `total` packets (their
  // guaranteed count, count - error), heaviest first. Spoofed sources each
  // send a packet or two: none qualifies, and the list is empty.
  std::vector<Entry> top(uint64_t total, double min_share) const;

 private:
  std::array<Entry, kK> e_{};
  size_t n_ = 0;
};

// About how many distinct sources: HyperLogLog with 256 registers (Flajolet et
// al. 2007; standard error 1.04/sqrt(256) = 6.5%), linear counting below 2.5 m.
class DistinctCounter {
 public:
  void add(const IpAddr& ip);
  uint64_t estimate() const;

 private:
  std::array<uint8_t, 256> reg_{};
};

// What a flood event says (its JSON writer is flood_log.cc).
struct FloodEvent : TypedEvent {
  FloodKind kind = FloodKind::kSyn;
  IpAddr target;
  uint16_t port = 0;         // SYN floods: the port most SYNs asked for (the first seen)
  uint8_t proto = 0;         // fragment floods: the IP protocol of the first fragment
  TimeNs first = 0, last = 0;
  uint64_t packets = 0;      // packets of the flood to the target, from its first second over the rate
  uint64_t peak_pps = 0;     // the busiest second
  uint64_t seconds = 0;      // seconds at or over the rate
  uint64_t answered = 0;     // SYN floods: SYN-ACKs the target sent meanwhile
  uint64_t distinct_sources = 0;
  std::vector<TopSources::Entry> top_sources;
  bool ongoing = false;      // still over the rate when the capture ended
  Event to_event() const;    // flood_log.cc
};

struct FloodStats {
  uint64_t floods = 0;
  uint64_t untracked = 0;  // packets not metered: the target table was full
};

class FloodMeter {
 public:
  explicit FloodMeter(FloodLimits lim = {}) : lim_(lim) {}
  // Every decoded IP packet, fragments before reassembly, in capture order.
  void on_packet(const Packet& p, EventSink& out);
  // End of input: floods still running are reported (ongoing).
  void finish(EventSink& out);
  const FloodStats& stats() const { return stats_; }

 private:
  struct Key {
    IpAddr ip;
    FloodKind kind;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Target {
    int64_t sec = 0;           // the second being counted
    uint64_t in_sec = 0;       // packets in it
    DistinctCounter sec_sources;  // its sources (SYN floods)
    TopSources sec_top;
    uint32_t run = 0;          // consecutive seconds at the rate
    int64_t last_over = 0;     // the last second at the rate
    uint64_t run_packets = 0;  // packets of the seconds of the current run
    TimeNs run_first = 0;
    TimeNs sec_first = 0;      // the first packet of the second being counted
    TimeNs last_ts = 0;
    bool flooding = false;
    FloodEvent ev;
    TopSources top;
    DistinctCounter distinct;
  };
  void count(const Key& k, const Packet& p);
  bool close_second(Target& t, const Key& k, int64_t sec);
  static void reset_run(Target& t);
  void report(Target& t, const Key& k, bool ongoing, EventSink& out);
  void sweep(int64_t now_sec, EventSink& out);
  uint32_t rate(FloodKind k) const { return k == FloodKind::kSyn ? lim_.syn_per_second : lim_.frag_per_second; }
  bool over_rate(const Target& t, FloodKind k) const;

  FloodLimits lim_;
  FloodStats stats_;
  std::unordered_map<Key, Target, KeyHash> targets_;
  int64_t swept_sec_ = 0;
};

}  // namespace ms
