// Expiry of the rules' state in the live monitor (docs/decisions.md "The
// live monitor's state expires"). `analyze` keeps everything until the end
// of its file; a sensor that runs for months cannot, so `medsentry monitor`
// drops what the rules keep about activity older than the longest window any
// rule judges (Engine::horizon), by packet time, not the wall clock, so a
// replay behaves as the live network did. What is left is judged as before.
// One mechanism for every rule: each rule's expire() calls these helpers on
// its tables, and marks the flows its remaining state still names, so that
// EvidenceFlows keeps only those (mark and sweep).
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <iterator>
#include <unordered_set>

#include "detect/candidates.h"

namespace ms::detect {

struct Expiry {
  TimeNs before;                       // state whose last activity is older goes (LLONG_MIN: none)
  TimeNs horizon;                      // the longest window (Engine::horizon)
  std::unordered_set<uint64_t> keep;   // the flows the remaining state names
  Budget& records;                     // given back what the dropped records took
  Budget& conversations;
  const std::unordered_set<uint64_t>& ended;  // flows whose final record came since the last expiry
  void mark(uint64_t flow_id) {
    if (flow_id) keep.insert(flow_id);
  }
};

// Removes the entries of a map whose last time (`last_of(value)`) is before
// the cut; returns how many went.
template <class Map, class LastOf>
size_t drop_idle(Map& m, TimeNs before, LastOf last_of) {
  size_t n = 0;
  for (auto it = m.begin(); it != m.end();) {
    if (last_of(it->second) < before) {
      it = m.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

// Time series kept per key (login attempts, queries, probes: records with
// `ts` and `flow_id`) that a sliding window judges. A key's series goes as a
// whole once its last record is older than the cut: a burst's alert runs to
// where the records stop (a gap longer than the window), so a later record
// can no longer change it. A series that never pauses that long (a
// management host polling every device each minute) is cut instead once it
// holds more than two horizons: its records before the cut go, so a burst
// longer than that is reported in pieces, each a final alert. `mark`: the
// records' flows are kept in EvidenceFlows (a rule whose records carry
// their 5-tuple offers them again when it judges, and need not).
template <class Map>
void expire_series(Map& m, Expiry& x, Budget* budget, bool mark) {
  for (auto it = m.begin(); it != m.end();) {
    auto& recs = it->second;
    TimeNs first = LLONG_MAX, last = LLONG_MIN;
    for (const auto& r : recs) {
      first = std::min(first, r.ts);
      last = std::max(last, r.ts);
    }
    size_t before = recs.size();
    if (last < x.before) {
      recs.clear();
    } else if (x.before != LLONG_MIN && first < x.before - x.horizon) {
      std::erase_if(recs, [&x](const auto& r) { return r.ts < x.before; });
    }
    if (budget) budget->used -= std::min(budget->used, before - recs.size());
    if (recs.empty()) {
      it = m.erase(it);
      continue;
    }
    if (mark) {
      for (const auto& r : recs) x.mark(r.flow_id);
    }
    ++it;
  }
}

// A candidate still active keeps the flows its alert names (the earliest
// kMaxAlertFlows) and those within the horizon that have not ended (so that
// a flow seen again is not counted twice; an ended flow is never seen
// again, and without this a candidate kept one entry per connection of the
// last horizon: memory growing with the event rate); the others are counted
// in flows_over, so flows_total stays. (A flow seen again after its entry
// went counts once more: a connection open longer than the horizon.) Only
// the named flows are marked: EvidenceFlows need not keep the 5-tuple of a
// flow no alert will name.
void expire_flows(Candidate& c, Expiry& x);
// Candidates idle since before the cut go; the others keep their flows as above.
void expire_candidates(Candidates& cands, Expiry& x);
// Conversations (a host's peers, orders, AE titles) not seen since the cut
// go, giving back the budget; the others keep their first flow.
void expire_conversations(Conversations& m, Expiry& x);

}  // namespace ms::detect
