// The live monitor's expiry helpers (expiry.h).
#include "detect/expiry.h"

#include <tuple>
#include <utility>
#include <vector>

namespace ms::detect {

void expire_flows(Candidate& c, Expiry& x) {
  if (c.flows.size() <= kMaxAlertFlows) {
    for (const auto& f : c.flows) x.mark(f.first);
    return;
  }
  // The earliest kMaxAlertFlows by (time, id), as Judge::raise picks them.
  std::vector<std::pair<TimeNs, uint64_t>> by_time;
  by_time.reserve(c.flows.size());
  for (const auto& [id, ts] : c.flows) by_time.emplace_back(ts, id);
  std::nth_element(by_time.begin(), by_time.begin() + (kMaxAlertFlows - 1), by_time.end());
  const std::pair<TimeNs, uint64_t> named = by_time[kMaxAlertFlows - 1];
  for (auto it = c.flows.begin(); it != c.flows.end();) {
    bool is_named = std::make_pair(it->second, it->first) <= named;
    if (is_named) x.mark(it->first);  // only these need their 5-tuple kept
    if (is_named || (it->second >= x.before && !x.ended.count(it->first))) {
      ++it;
    } else {
      it = c.flows.erase(it);
      ++c.flows_over;
    }
  }
}

void expire_candidates(Candidates& cands, Expiry& x) {
  drop_idle(cands.all(), x.before, [](const Candidate& c) { return c.last; });
  for (auto& kv : cands.all()) expire_flows(kv.second, x);
}

void expire_conversations(Conversations& m, Expiry& x) {
  for (auto host = m.begin(); host != m.end();) {
    size_t n = drop_idle(host->second, x.before, [](const Conv& cv) { return cv.last; });
    x.conversations.used -= std::min(x.conversations.used, n);
    for (const auto& kv : host->second) x.mark(kv.second.flow_id);
    host = host->second.empty() ? m.erase(host) : std::next(host);
  }
}

}  // namespace ms::detect
