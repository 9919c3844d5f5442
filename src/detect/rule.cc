// The rule registry (rule.h).
#include "detect/rule.h"

#include <algorithm>
#include <set>

namespace ms::detect {

namespace {

std::vector<RuleFactory>& factories() {
  static std::vector<RuleFactory> f;
  return f;
}

int first_sid(const Rule& r) { return r.alerts().empty() ? 0 : r.alerts().front().sid; }

// One instance of each rule, to answer what they raise and want.
const std::vector<std::unique_ptr<Rule>>& prototypes() {
  static const std::vector<std::unique_ptr<Rule>> p = RuleRegistry::make_all();
  return p;
}

}  // namespace

bool RuleRegistry::add(RuleFactory make) {
  factories().push_back(make);
  return true;
}

std::vector<std::unique_ptr<Rule>> RuleRegistry::make_all() {
  std::vector<std::unique_ptr<Rule>> out;
  for (RuleFactory make : factories()) out.push_back(make());
  // Static registration runs in link order; the order of the rules must not
  // depend on it.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return first_sid(*a) < first_sid(*b); });
  return out;
}

const std::vector<RuleInfo>& RuleRegistry::infos() {
  static const std::vector<RuleInfo> all = [] {
    std::vector<RuleInfo> v;
    for (const auto& r : prototypes()) v.insert(v.end(), r->alerts().begin(), r->alerts().end());
    std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.sid < b.sid; });
    return v;
  }();
  return all;
}

bool RuleRegistry::wanted(std::string_view t) {
  static const std::set<std::string, std::less<>> types = [] {
    std::set<std::string, std::less<>> s;
    for (const auto& r : prototypes()) {
      for (std::string_view w : r->wants()) s.emplace(w);
    }
    return s;
  }();
  return types.count(t) != 0;
}

}  // namespace ms::detect
