// Candidates and their ranking for one field of a device record
// (derive_field.h).
#include "inventory/derive_field.h"

#include <algorithm>

#include "dissectors/text.h"

namespace ms::inv {

namespace {

constexpr size_t kMaxEvidence = 5;

bool more_credible(const Candidate& a, const Candidate& b) {
  if (a.conf != b.conf) return a.conf > b.conf;
  if (a.evidence.size() != b.evidence.size()) return a.evidence.size() > b.evidence.size();
  if (a.value.size() != b.value.size()) return a.value.size() > b.value.size();
  return a.value < b.value;
}

bool stronger(const Evidence& a, const Evidence& b) {
  if (a.conf != b.conf) return a.conf > b.conf;
  if (a.source != b.source) return a.source < b.source;
  return a.observed < b.observed;
}

}  // namespace

void Field::add(const std::string& value, double conf, const ObservationRow& r, const std::string& observed) {
  if (value.empty()) return;
  Candidate& c = by_value_[value];
  c.value = value;
  for (Evidence& e : c.evidence) {
    if (e.source == r.source && e.observed == observed) {
      e.conf = std::max(e.conf, conf);
      return;
    }
  }
  c.evidence.push_back({r.source, observed, conf, r.first, r.last, r.count, r.flow_id});
}

std::vector<Candidate> Field::ranked() const {
  std::vector<Candidate> v;
  for (const auto& [k, c] : by_value_) {
    Candidate x = c;
    double doubt = 1;
    for (const Evidence& e : x.evidence) doubt *= 1 - std::min(e.conf, 0.99);
    x.conf = std::min(0.99, 1 - doubt);
    v.push_back(std::move(x));
  }
  std::sort(v.begin(), v.end(), more_credible);
  for (Candidate& c : v) {
    std::sort(c.evidence.begin(), c.evidence.end(), stronger);
    if (c.evidence.size() > kMaxEvidence) c.evidence.resize(kMaxEvidence);
  }
  return v;
}

std::string best(const std::vector<Candidate>& ranked) { return ranked.empty() ? "" : ranked[0].value; }

std::string best_specific(const std::vector<Candidate>& ranked) {
  if (ranked.empty()) return "";
  const std::string base = text::lower(ranked[0].value);
  const Candidate* pick = &ranked[0];
  for (const Candidate& c : ranked) {
    if (c.conf >= 0.85 && c.value.size() > pick->value.size() && text::lower(c.value).find(base) != std::string::npos) pick = &c;
  }
  return pick->value;
}

}  // namespace ms::inv
