// The detection stage (engine.h): dispatch to the rules, then judgement,
// ordering and the baseline file. The rules themselves are in
// src/detect/rules/, one file each.
#include "detect/engine.h"

#include <algorithm>
#include <climits>
#include <tuple>

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
  if (e.flow) {
    const FlowRow& f = *e.flow;
    flows_.on_flow(f);  // the times of a flow an alert may name
    if (f.start && (!first_ts_ || f.start < first_ts_)) first_ts_ = f.start;
    Input in(e);
    for (Rule* r : flow_rules_) r->take(in, ctx_);
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

std::vector<Alert> Engine::judge(const Facts& facts) {
  // The baseline to judge against: loaded, or the first learning_period
  // seconds of this run.
  const BaselineSettings& bs = cfg_.baseline;
  Baseline inrun;
  const Baseline* base = baseline_ ? &*baseline_ : nullptr;
  TimeNs learn_end = LLONG_MIN;
  if (!base && bs.learning_period > 0 && first_ts_) {
    learn_end = first_ts_ + static_cast<TimeNs>(bs.learning_period) * 1'000'000'000LL;
    inrun = learn(learn_end).first;
    inrun.source = "the first " + std::to_string(bs.learning_period) + " s of this run";
    base = &inrun;
  }
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

}  // namespace ms::detect
