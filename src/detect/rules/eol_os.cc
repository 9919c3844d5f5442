// Rule 1015 eol_os: a device seen in the run whose operating system is
// end-of-life (the inventory's os_eol, data/eol_os.csv). Wants: flow (which
// addresses were seen, first and last). Keeps: one time span per address.
// Judges: once per device; low on medical, info elsewhere.
#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "inventory/observe.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"eol_os", 1015, "End-of-life operating system", "exposure", "T0866", ""}};
constexpr std::string_view kWants[] = {"flow"};
constexpr size_t kMaxSeenIps = 200'000;

class EolOs final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const FlowRow& f = *in.flow();
    for (const std::string* ip : {&f.src_ip, &f.dest_ip}) {
      auto it = seen_.find(*ip);
      if (it != seen_.end()) {
        it->second.first = std::min(it->second.first, f.start);
        it->second.second = std::max(it->second.second, f.end);
      } else if (seen_.size() < kMaxSeenIps && inv::device_ip(*ip)) {
        seen_.emplace(*ip, std::make_pair(f.start, f.end));
      }
    }
  }
  void judge(Judge& j) override {
    std::set<std::string> done;
    std::vector<std::pair<std::string, std::pair<TimeNs, TimeNs>>> ips(seen_.begin(), seen_.end());
    std::sort(ips.begin(), ips.end());
    for (const auto& entry : ips) {  // named, not bound: clang 14 lambdas cannot capture bindings
      const DeviceFacts* f = j.fact(entry.first);
      if (!f || !f->os_eol || !done.insert(f->id).second) continue;
      j.raise("eol_os", medical(f) ? Severity::kLow : Severity::kInfo, "", entry.first, "", entry.second.first,
              entry.second.second, 1, {}, 0, [&](JsonWriter& w) { w.kv("os", f->os); });
    }
  }
  void expire(Expiry& x) override {
    drop_idle(seen_, x.before, [](const std::pair<TimeNs, TimeNs>& s) { return s.second; });
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kSegment,
            "plan replacement or compensating controls (segmentation, allow-list) with the manufacturer"};
  }

 private:
  std::unordered_map<std::string, std::pair<TimeNs, TimeNs>> seen_;  // address -> first/last flow time
};

}  // namespace
MS_REGISTER_RULE(eol_os, EolOs);
}  // namespace ms::detect
