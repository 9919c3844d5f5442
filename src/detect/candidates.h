// Shared machinery of the rules (written once, used by every rule file):
// - Candidate / Candidates: what a rule collected for one (source,
//   destination, protocol): count, first/last time, its flows and its
//   evidence (lists, counters, fields), judged at the end of the run;
// - EvidenceFlows: the 5-tuples and times of the flows alerts name, for
//   the alert's `flows` and `medsentry evidence`;
// - Budget: a cap shared by several tables (every table is bounded);
// - Conversations: first time, first flow and count of what a host did
//   (baselines: peers, orders, AE titles).
// Collection is order-independent (sets keeping their smallest values,
// minima, counts), so alerts do not depend on the number of workers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/json_writer.h"
#include "detect/alert.h"
#include "events/event.h"

namespace ms::detect {

struct Context;

constexpr size_t kMaxListValues = 16;  // evidence values kept per list
constexpr size_t kMaxFlowsPerCandidate = 4096;
constexpr size_t kMaxFlowRefs = 200'000;

struct Candidate {
  std::string rule, src, dst, protocol;
  TimeNs first = 0, last = 0;
  uint64_t count = 0;
  std::map<uint64_t, TimeNs> flows;  // flow id -> earliest event time (capped)
  uint64_t flows_over = 0;
  // Transparent: a value already listed is found without a copy of it.
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> lists;  // smallest values kept (deterministic)
  std::map<std::string, uint64_t> counters;
  std::map<std::string, std::string> fields;  // the smallest value seen
};

// Adds a value to an evidence list (cut to size; the smallest kMaxListValues kept).
void add_list(Candidate& c, std::string_view list, std::string_view value);
// Keeps the smallest value seen for a field.
void set_field(Candidate& c, const std::string& key, std::string_view value);
// The counters, fields and lists as members of the evidence object.
void write_lists(JsonWriter& w, const Candidate& c);

// The flows alerts name: their 5-tuple and, once their flow event is seen,
// their times. Bounded at kMaxFlowRefs; misses are counted.
class EvidenceFlows {
 public:
  explicit EvidenceFlows(Stats& stats) : stats_(stats) {}
  // The event's flow, by its envelope (times come with the flow event).
  void ref(const Event& e);
  // A flow with its times, if there is room (not counted when there is not).
  void offer(const FlowRef& r);
  // A flow event: the times of a flow already named.
  void on_flow(const FlowRow& f);
  const FlowRef* find(uint64_t id) const;
  bool has(uint64_t id) const { return refs_.count(id) != 0; }
  // The live monitor's expiry (expiry.h): keeps only the flows in `keep`,
  // those the rules' remaining state names.
  void sweep(const std::unordered_set<uint64_t>& keep);
  size_t size() const { return refs_.size(); }

 private:
  Stats& stats_;
  std::unordered_map<uint64_t, FlowRef> refs_;
};

FlowRef ref_of(const FlowRow& f);

// A cap several tables share; taking past it counts a dropped record.
struct Budget {
  size_t cap = 0, used = 0;
  bool take(Stats& stats) {
    if (used >= cap) {
      ++stats.dropped_state;
      return false;
    }
    ++used;
    return true;
  }
};

// One rule's candidates, keyed rule \x1f src \x1f dst \x1f protocol (so they
// are judged in a stable order).
class Candidates {
 public:
  // The candidate for (rule, src, dst, protocol), counting this event: its
  // time and its flow (named in `flows` for the evidence).
  Candidate& add(std::string_view rule, const std::string& src, const std::string& dst, std::string_view protocol,
                 const Event& e, EvidenceFlows& flows);
  // An entry that only gathers evidence lists (no count, no flows).
  Candidate& evidence(const std::string& key) { return map_[key]; }
  const Candidate* find(const std::string& key) const;
  bool contains(std::string_view rule, const std::string& src, const std::string& dst, std::string_view protocol) const;
  // Moves a candidate to another protocol, merging it into one already there
  // (files on a bare TCP connection an FTP control channel announced).
  void move_to_protocol(const std::string& key, std::string_view protocol);
  using Map = std::map<std::string, Candidate, std::less<>>;  // transparent: found by a reused key buffer
  Map& all() { return map_; }
  const Map& all() const { return map_; }

 private:
  Map map_;
  std::string key_;  // add()'s key, built in place
};

std::string candidate_key(std::string_view rule, const std::string& src, const std::string& dst,
                          std::string_view protocol);

// What a host did, one entry per kind ("PEER tcp/104", "SENDER RDE", an AE
// title): the first time, that time's flow, how many times, and the last
// time (for the live monitor's expiry).
struct Conv {
  TimeNs first;
  uint64_t flow_id;
  uint64_t flows;
  TimeNs last;
};
// Ordered (baselines and alerts list them in order); transparent, so that a
// flow's key is looked up without a string made for it.
using Conversations = std::map<std::string, std::map<std::string, Conv, std::less<>>, std::less<>>;  // host -> key -> Conv
// Counts one more (host, key) at (ts, flow_id); null when the budget is spent.
Conv* note_conversation(Conversations& m, std::string_view host, std::string_view key, TimeNs ts, uint64_t flow_id,
                        Budget& budget, Stats& stats);
// The same for an application event (a key from the wire: tabs and line ends
// become spaces, the baseline file is tab-separated), naming its flow.
void remember(Conversations& m, const std::string& host, std::string key, const Event& e, Context& ctx);

}  // namespace ms::detect
