// Rule 1006 brute_force: at least brute_force_failures (5) failed logins from
// one source to one service within brute_force_window, or
// brute_force_failures_medical (3) when either end is a medical device (issue
// 15: four failed telnet logins on a pump); high when a success follows
// them, medium otherwise. The user names tried are in the evidence. One alert per pair and protocol per run.
// Wants: credential (not SNMP: a wrong community is no login). Keeps: every
// login attempt (time, result, flow) under the shared records budget, and
// the user names tried.
#include <algorithm>
#include <climits>
#include <map>
#include <tuple>
#include <vector>

#include "detect/device.h"
#include "detect/fields.h"
#include "dissectors/credential.h"
#include "detect/judge.h"
#include "detect/expiry.h"
#include "detect/rule.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"brute_force", 1006, "Repeated failed logins", "credential access", "", "T1110"}};
constexpr std::string_view kWants[] = {"credential"};

struct Attempt {
  TimeNs ts;
  bool success;
  uint64_t flow_id;
};

class BruteForce final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    const CredentialEvent* o = in.event().as<CredentialEvent>();
    if (!o) return;
    std::string_view protocol = o->protocol, result = o->result, user = o->username;
    bool success = result == "success";
    if ((result != "failure" && !success) || protocol == "snmp") return;
    const Event& e = in.event();
    std::string key = e.src_ip + '\x1f' + e.dest_ip + '\x1f' + std::string(protocol);
    if (ctx.records.take(ctx.stats)) {
      logins_[key].push_back(Attempt{e.ts, success, e.flow_id});
      ctx.flows.ref(e);
    }
    // Who was tried, for the alert the judgement may raise.
    if (!user.empty()) add_list(users_[key], "usernames", JsonText(user));
  }

  void judge(Judge& j) override {
    for (auto& [key, att] : logins_) judge_pair(j, key, att);
  }

  void expire(Expiry& x) override {
    expire_series(logins_, x, &x.records, true);
    // The user names tried go with their attempts.
    std::erase_if(users_, [this](const auto& kv) { return !logins_.count(kv.first); });
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "check the target's accounts for a session that followed the failures; rotate the password; rate-limit "
            "or block the service"};
  }

 private:
  void judge_pair(Judge& j, const std::string& key, std::vector<Attempt>& att) {
    const Thresholds& th = j.cfg().thresholds;
    const TimeNs window = seconds(th.brute_force_window);
    // A medical device's logins are rare and scripted by its maker's tools:
    // a burst of failures against one, or from one, is an alert sooner.
    size_t p1 = key.find('\x1f'), p2 = key.find('\x1f', p1 + 1);
    bool device = medical(j.fact(key.substr(0, p1))) || medical(j.fact(key.substr(p1 + 1, p2 - p1 - 1)));
    const uint32_t threshold = device ? th.brute_force_failures_medical : th.brute_force_failures;
    std::sort(att.begin(), att.end(), [](const Attempt& a, const Attempt& b) {
      return std::tie(a.ts, a.flow_id, a.success) < std::tie(b.ts, b.flow_id, b.success);
    });
    // Failures in the window ending at each attempt.
    size_t lo = 0, failures = 0;
    for (size_t i = 0; i < att.size(); ++i) {
      while (att[lo].ts < att[i].ts - window) {
        if (!att[lo].success) --failures;
        ++lo;
      }
      if (!att[i].success) ++failures;
      if (failures >= threshold) {
        raise(j, key, att, lo, i, window, threshold);
        return;  // one alert per pair and protocol per run
      }
    }
  }

  // The alert: from the window's first failure to the end of the activity
  // (a gap longer than the window); a success after the failures makes it high.
  void raise(Judge& j, const std::string& key, const std::vector<Attempt>& att, size_t lo, size_t i, TimeNs window,
             uint32_t threshold) {
    size_t p1 = key.find('\x1f'), p2 = key.find('\x1f', p1 + 1);
    std::string src = key.substr(0, p1), dst = key.substr(p1 + 1, p2 - p1 - 1), protocol = key.substr(p2 + 1);
    size_t b = lo;
    while (b < i && att[b].success) ++b;
    bool success_after = false;
    uint64_t fails = 0;
    std::map<uint64_t, TimeNs> flows;
    TimeNs last = att[i].ts;
    for (size_t k = b; k < att.size(); ++k) {
      if (att[k].ts - last > window) break;
      last = att[k].ts;
      if (att[k].success) success_after = true;
      else ++fails;
      if (att[k].flow_id) flows.emplace(att[k].flow_id, att[k].ts);
    }
    auto u = users_.find(key);
    const Candidate* users = u == users_.end() ? nullptr : &u->second;
    const uint32_t window_s = j.cfg().thresholds.brute_force_window;
    j.raise("brute_force", success_after ? Severity::kHigh : Severity::kMedium, src, dst, protocol, att[b].ts, last,
            fails, flows, 0, [&](JsonWriter& w) {
              w.kv("failures", fails).kv("success_after_failures", success_after);
              w.kv("window_s", static_cast<uint64_t>(window_s)).kv("threshold", static_cast<uint64_t>(threshold));
              if (users) write_lists(w, *users);
            });
  }

  std::map<std::string, std::vector<Attempt>> logins_;  // src \x1f dst \x1f protocol
  std::map<std::string, Candidate> users_;              // the same key: user names tried
};

}  // namespace
MS_REGISTER_RULE(brute_force, BruteForce);
}  // namespace ms::detect
