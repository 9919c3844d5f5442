// Rule 1019 volume_spike: after learning, an internal host sends more in an
// hour than volume_factor x its busiest learned hour and more than
// volume_min_bytes. High on medical hosts, medium elsewhere; one alert per
// host (its worst hour). A host the baseline never saw is not judged.
// Wants: flow. Keeps: bytes sent per internal host and hour.
#include <algorithm>
#include <climits>
#include <map>

#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "inventory/observe.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"volume_spike", 1019, "Host sends far more than in its busiest baseline hour", "baseline", "T0882", "T1030"}};
constexpr std::string_view kWants[] = {"flow"};

class VolumeSpike final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const FlowRow& f = *in.flow();
    uint8_t proto = proto_number(f.proto);
    if ((proto == kTcp || proto == kUdp) && ctx.cfg.is_internal(f.src_ip) && inv::device_ip(f.dest_ip))
      hourly_[f.src_ip][f.start / kHour] += f.bytes_toserver;
  }

  size_t learn(Baseline& b, TimeNs end, const Config&) const override {
    for (const auto& [host, hours] : hourly_) {
      uint64_t busiest = 0;
      bool any = false;
      for (const auto& [h, bytes] : hours) {
        if (h * kHour >= end) break;
        any = true;
        busiest = std::max(busiest, bytes);
      }
      if (any) b.hosts[host] = busiest;
    }
    return 0;
  }

  void judge(Judge& j) override {
    const Baseline* base = j.baseline();
    if (!base) return;
    const BaselineSettings& bs = j.cfg().baseline;
    const TimeNs learn_end = j.learn_end();
    for (const auto& [host, hours] : hourly_) {
      auto b = base->hosts.find(host);
      if (b == base->hosts.end()) continue;
      uint64_t limit = std::max<uint64_t>(b->second * bs.volume_factor, bs.volume_min_bytes);
      const std::pair<const int64_t, uint64_t>* worst = nullptr;
      for (const auto& hb : hours) {
        if ((hb.first + 1) * kHour <= learn_end && learn_end != LLONG_MIN) continue;  // learnt from
        if (hb.second > limit && (!worst || hb.second > worst->second)) worst = &hb;
      }
      if (!worst) continue;
      TimeNs at = worst->first * kHour;
      uint64_t learned = b->second;
      j.raise("volume_spike", medical(j.fact(host)) ? Severity::kHigh : Severity::kMedium, host, "", "", at,
              at + kHour - 1, 1, {}, 0, [&](JsonWriter& w) {
                w.kv("bytes_sent_in_hour", worst->second);
                w.kv("baseline_busiest_hour_bytes", learned);
                w.kv("limit_bytes", limit);
                w.kv("baseline", base->source);
              });
    }
  }

  void expire(Expiry& x) override {
    // An hour is judged once it is over; hours that ended before the cut go
    // (learning reads them before: Engine::expire freezes the in-run baseline first).
    for (auto host = hourly_.begin(); host != hourly_.end();) {
      std::erase_if(host->second, [&x](const auto& hb) { return (hb.first + 1) * kHour < x.before; });
      host = host->second.empty() ? hourly_.erase(host) : std::next(host);
    }
  }

  Response response(const Alert&) const override {
    return {Response::About::kSource, Response::Contain::kBlockPair,
            "find what the host sent in that hour (the capture's flows from it) and whether a backup or export "
            "explains it"};
  }

 private:
  std::map<std::string, std::map<int64_t, uint64_t>> hourly_;  // host -> hour -> bytes sent
};

}  // namespace
MS_REGISTER_RULE(volume_spike, VolumeSpike);
}  // namespace ms::detect
