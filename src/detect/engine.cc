// The detection stage (engine.h): dispatch to the rules, then judgement,
// ordering and the baseline file. The rules themselves are in
// src/detect/rules/, one file each.
#include "detect/engine.h"

#include <algorithm>
#include <climits>
#include <tuple>

#include "detect/expiry.h"
#include "detect/judge.h"

namespace ms::detect {

namespace {

constexpr size_t kMaxRecords = 1'000'000;        // login attempts and queries, over all sources
constexpr size_t kMaxConversations = 1'000'000;  // conversations, orders and AE titles

}  // namespace

Engine::Engine(Config cfg)
    : cfg_(std::move(cfg)),
      records_{kMaxRecords, 0},
      conversations_{kMaxConversations, 0},
      ctx_{cfg_, stats_, flows_, records_, conversations_},
      rules_(RuleRegistry::make_all()) {
  // One table from event type to the rules that want it, in signature id
  // order (the order the rules see one event in must not change what they
  // keep, but keeping it fixed keeps runs byte-identical).
  for (const auto& r : rules_) {
    for (std::string_view t : r->wants()) {
      if (t == "flow") {
        flow_rules_.push_back(r.get());
      } else {
        auto it = by_type_.find(t);
        if (it == by_type_.end()) it = by_type_.emplace(std::string(t), std::vector<Rule*>{}).first;
        it->second.push_back(r.get());
      }
    }
  }
}

Engine::~Engine() = default;

bool Engine::wanted(std::string_view t) { return RuleRegistry::wanted(t); }

void Engine::add(const Event& e) {
  if (e.ts > 0 && (!first_ts_ || e.ts < first_ts_)) first_ts_ = e.ts;
  last_ts_ = std::max(last_ts_, e.ts);
  if (e.flow) {
    const FlowRow& f = *e.flow;
    last_ts_ = std::max(last_ts_, f.end);
    flows_.on_flow(f);  // the times of a flow an alert may name
    if (f.start && (!first_ts_ || f.start < first_ts_)) first_ts_ = f.start;
    Input in(e);
    for (Rule* r : flow_rules_) r->take(in, ctx_);
    // The flow engine writes a flow's final record after its application
    // events (interim records say "active_timeout"; the flow goes on).
    if (live_ && f.reason != "active_timeout" && ended_.size() < kMaxFlowRefs) ended_.insert(f.flow_id);
    return;
  }
  auto it = by_type_.find(std::string_view(e.event_type));
  if (it == by_type_.end()) return;  // no rule reads it: not parsed
  Input in(e);
  for (Rule* r : it->second) r->take(in, ctx_);
}

std::pair<Baseline, size_t> Engine::learn(TimeNs end) const {
  std::pair<Baseline, size_t> out;
  for (const auto& r : rules_) out.second += r->learn(out.first, end, cfg_);
  return out;
}

std::vector<Alert> Engine::finish(const Facts& facts) {
  if (!learn_path_.empty()) {
    auto [b, hosts] = learn(LLONG_MAX);
    save_baseline(learn_path_, b,
                  "learned by medsentry " MEDSENTRY_VERSION " from " + std::to_string(hosts) +
                      " hosts' conversations; 'medsentry analyze --baseline FILE' compares a capture with it");
  }
  return judge(facts);
}

std::vector<Alert> Engine::judge_now(const Facts& facts) {
  Stats before = stats_;
  std::vector<Alert> out = judge(facts);
  stats_ = before;
  return out;
}

const Baseline* Engine::inrun_baseline(Baseline& scratch, TimeNs& learn_end) const {
  const BaselineSettings& bs = cfg_.baseline;
  learn_end = LLONG_MIN;
  if (baseline_ || bs.learning_period <= 0 || !first_ts_) return nullptr;
  learn_end = first_ts_ + static_cast<TimeNs>(bs.learning_period) * 1'000'000'000LL;
  if (frozen_) return &*frozen_;
  scratch = learn(learn_end).first;
  scratch.source = "the first " + std::to_string(bs.learning_period) + " s of this run";
  return &scratch;
}

std::vector<Alert> Engine::judge(const Facts& facts) {
  // The baseline to judge against: loaded, or the first learning_period
  // seconds of this run.
  Baseline inrun;
  TimeNs learn_end = LLONG_MIN;
  const Baseline* base = baseline_ ? &*baseline_ : inrun_baseline(inrun, learn_end);
  Judge j(cfg_, stats_, facts, flows_, base, learn_end);
  for (const auto& r : rules_) {
    j.set_rule(r.get());
    r->judge(j);
  }
  std::vector<Alert>& out = j.alerts();
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return std::tie(a.first, a.id) < std::tie(b.first, b.id);
  });
  return std::move(out);
}

TimeNs Engine::horizon() const {
  const Thresholds& th = cfg_.thresholds;
  uint32_t longest = std::max({th.scan_window, th.brute_force_window, th.harvest_window});
  return static_cast<TimeNs>(longest) * 1'000'000'000LL;
}

TimeNs Engine::expiry_cut() const {
  if (!last_ts_ || last_ts_ - horizon() <= first_ts_) return LLONG_MIN;
  TimeNs cut = last_ts_ - horizon();
  // The in-run baseline reads the learning period's state: nothing goes
  // until it is frozen (expire() does that once the cut passes its end).
  if (!frozen_ && !baseline_ && cfg_.baseline.learning_period > 0) {
    TimeNs learn_end = first_ts_ + static_cast<TimeNs>(cfg_.baseline.learning_period) * 1'000'000'000LL;
    if (cut <= learn_end) return LLONG_MIN;
  }
  return cut;
}

TimeNs Engine::expire() {
  // Even when nothing is old enough (LLONG_MIN), the flows no state names go.
  TimeNs cut = expiry_cut();
  if (cut != LLONG_MIN && !frozen_ && !baseline_ && cfg_.baseline.learning_period > 0) {
    Baseline b;
    TimeNs learn_end;
    if (const Baseline* got = inrun_baseline(b, learn_end)) frozen_ = *got;
  }
  Expiry x{cut, horizon(), {}, records_, conversations_, ended_};
  for (const auto& r : rules_) r->expire(x);
  flows_.sweep(x.keep);
  ended_.clear();
  live_ = true;
  return cut;
}

}  // namespace ms::detect
