// Rule 1022 dos: a flood against one address — TCP SYNs without ACK or IP
// fragments at or over the flood meter's rate for consecutive seconds
// (src/decode/flood_meter.h measures it on the reader thread and reports a
// typed `flood` event). ATT&CK for ICS T0814 Denial of Service; Enterprise
// T1498.001 Direct Network Flood. A PACS that takes no association, or a
// monitor whose stack is busy with half-open connections, is a clinical
// outage even when nothing is "hacked".
// Wants: flood. Keeps: one aggregate per target and kind (bounded), merging
// the episodes of a run. Judges: critical on a life-critical device (pump,
// ventilator), high on a medical or imaging device, medium otherwise.
#include <algorithm>
#include <map>
#include <tuple>

#include "decode/flood_meter.h"
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/judge.h"
#include "detect/rule.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"dos", 1022, "Flood against a host (denial of service)", "denial of service", "T0814", "T1498.001"}};
constexpr std::string_view kWants[] = {"flood"};
constexpr size_t kMaxTargets = 4096;  // the meter reports far fewer: a flood lasts seconds

struct Episodes {
  std::string target, protocol;
  FloodKind kind = FloodKind::kSyn;
  uint16_t port = 0;
  TimeNs first = 0, last = 0;
  uint64_t floods = 0, packets = 0, peak_pps = 0, seconds = 0, answered = 0, distinct_sources = 0;
  bool ongoing = false;
  std::map<IpAddr, uint64_t> sources;  // the named heavy sources, summed over episodes
};

class Dos final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const FloodEvent* f = in.event().as<FloodEvent>();
    if (!f) return;
    std::string target = f->target.str();
    auto key = std::make_pair(target, static_cast<int>(f->kind));
    auto it = eps_.find(key);
    if (it == eps_.end()) {
      if (eps_.size() >= kMaxTargets) {
        ++ctx.stats.dropped_state;
        return;
      }
      it = eps_.emplace(key, Episodes{}).first;
      Episodes& e = it->second;
      e.target = target;
      e.kind = f->kind;
      e.protocol = f->kind == FloodKind::kSyn ? "tcp" : "ip";
      e.port = f->port;
      e.first = f->first;
    }
    Episodes& e = it->second;
    e.first = std::min(e.first, f->first);
    e.last = std::max(e.last, f->last);
    ++e.floods;
    e.packets += f->packets;
    e.seconds += f->seconds;
    e.answered += f->answered;
    e.peak_pps = std::max(e.peak_pps, f->peak_pps);
    e.distinct_sources = std::max(e.distinct_sources, f->distinct_sources);
    e.ongoing = e.ongoing || f->ongoing;
    for (const TopSources::Entry& s : f->top_sources) {
      if (e.sources.size() < TopSources::kK || e.sources.count(s.ip)) e.sources[s.ip] += s.count - s.error;
    }
  }

  void judge(Judge& j) override {
    for (const auto& [key, e] : eps_) judge_one(j, e);
  }

  void expire(Expiry& x) override {
    drop_idle(eps_, x.before, [](const Episodes& e) { return e.last; });
  }

  Response response(const Alert& a) const override {
    Response r;
    r.about = Response::About::kDestination;
    r.contain = Response::Contain::kBlockDestination;
    if (a.protocol == "tcp") {
      r.contain_text = "protect " + a.dest_ip +
                       ": SYN cookies or a SYN proxy and a new-connection rate limit on the firewall or switch "
                       "in front of it; block the listed sources if they are real hosts";
    } else {
      r.contain_text = "drop IP fragments to " + a.dest_ip +
                       " at the firewall in front of it (no clinical protocol it speaks needs them); block the "
                       "listed sources";
    }
    r.recover =
        "with clinical engineering, check that the device still does its clinical work (images arriving, "
        "monitoring, results sent) and restart its network service if it stopped; find what sent the flood";
    return r;
  }

 private:
  static Severity severity(const DeviceFacts* f) {
    if (life_critical(f)) return Severity::kCritical;
    if (medical(f) || imaging_host(f)) return Severity::kHigh;
    return Severity::kMedium;
  }

  void judge_one(Judge& j, const Episodes& e) {
    std::vector<std::pair<uint64_t, IpAddr>> heavy;
    for (const auto& [ip, n] : e.sources) heavy.emplace_back(n, ip);
    std::sort(heavy.begin(), heavy.end(), [](const auto& a, const auto& b) {
      return std::tie(b.first, a.second) < std::tie(a.first, b.second);
    });
    // Many distinct sources and none heavy: forged source addresses, so
    // blocking sources is no remedy.
    bool spoofed = heavy.empty() && e.distinct_sources >= 100;
    j.raise("dos", severity(j.fact(e.target)), "", e.target, e.protocol, e.first, e.last, e.packets, {}, 0,
            [&](JsonWriter& w) {
              w.kv("kind", flood_kind_name(e.kind));
              if (e.kind == FloodKind::kSyn) w.kv("port", static_cast<unsigned>(e.port));
              w.kv("packets", e.packets).kv("peak_pps", e.peak_pps).kv("seconds", e.seconds);
              w.kv("floods", e.floods).kv("ongoing_at_end", e.ongoing);
              if (e.kind == FloodKind::kSyn) w.kv("answered", e.answered);
              w.kv("distinct_sources", e.distinct_sources).kv("sources_spoofed", spoofed);
              w.key("top_sources").begin_array();
              for (const auto& [n, ip] : heavy) w.begin_object().kv("ip", ip.str()).kv("packets", n).end_object();
              w.end_array();
            },
            e.port);
  }

  std::map<std::pair<std::string, int>, Episodes> eps_;  // (target, kind)
};

}  // namespace
MS_REGISTER_RULE(dos, Dos);
}  // namespace ms::detect
