// The detection stage (docs/detections.md): reads every event of a run on the
// correlation thread and hands each to the rules that want it
// (src/detect/rules/, one file per rule, rule.h); at the end of the run the
// rules judge what they kept with the inventory's device facts into
// de-duplicated alerts: one per rule, source, destination and protocol, with a
// count, the flows to cut out of the capture, and the response steps.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/hash.h"
#include "detect/alert.h"
#include "detect/baseline.h"
#include "detect/candidates.h"
#include "detect/config.h"
#include "detect/rule.h"
#include "events/event.h"

namespace ms::detect {

class Engine {
 public:
  explicit Engine(Config cfg);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // The event types any rule reads (the rest are skipped without parsing).
  static bool wanted(std::string_view event_type);
  // Every event of the run, in one thread, in any order.
  void add(const Event& e);
  // Judges what was collected; alerts sorted by first time, then id.
  std::vector<Alert> finish(const Facts& facts);
  // The live monitor's periodic judgement: the same alerts finish() would
  // give now, without counting them in stats() and without writing the
  // baseline; the run goes on.
  std::vector<Alert> judge_now(const Facts& facts);
  // The live monitor's expiry (expiry.h; never in `analyze`, whose results
  // need the whole file): the longest window any rule judges, and the cut an
  // expiry now would use (the latest packet time seen minus that window;
  // LLONG_MIN while nothing may go: no packet yet, or the in-run baseline
  // still learning).
  TimeNs horizon() const;
  TimeNs expiry_cut() const;
  // After a judgement: every rule drops its state idle since expiry_cut(),
  // then the flows no state names. Returns the cut it used.
  TimeNs expire();
  const Stats& stats() const { return stats_; }
  const Config& config() const { return cfg_; }
  // The live monitor's SIGHUP: new settings (networks, thresholds,
  // allow-lists, disabled rules) for the judgements from now on; what the
  // rules collected is kept. On the thread that calls add().
  void set_config(Config cfg) { cfg_ = std::move(cfg); }
  // Rule 10: judge the run against a baseline learned elsewhere, and/or
  // write what this run shows as a baseline (at finish()).
  void set_baseline(Baseline b) { baseline_ = std::move(b); }
  void learn_baseline_to(std::string path) { learn_path_ = std::move(path); }

 private:
  // What every rule's state shows before `end`, and how many hosts'
  // conversations that was.
  std::pair<Baseline, size_t> learn(TimeNs end) const;
  // The baseline of the run's first learning_period seconds; `learn_end` set
  // to their end. Null when there is none (loaded, or no in-run learning).
  const Baseline* inrun_baseline(Baseline& scratch, TimeNs& learn_end) const;
  std::vector<Alert> judge(const Facts& facts);

  Config cfg_;
  Stats stats_;
  EvidenceFlows flows_{stats_};
  Budget records_, conversations_;
  Context ctx_;
  std::vector<std::unique_ptr<Rule>> rules_;  // by signature id
  std::vector<Rule*> flow_rules_;              // the rules that want flow records
  // Hashed, transparent: every event looks its type up.
  StringMap<std::vector<Rule*>> by_type_;  // event type -> rules
  TimeNs first_ts_ = 0;
  TimeNs last_ts_ = 0;  // the latest packet time seen (the live expiry's clock)
  std::optional<Baseline> baseline_;
  // The in-run baseline, learned once before the expiry drops what it reads.
  std::optional<Baseline> frozen_;
  std::string learn_path_;
  // Live only (from the first expire()): the flows whose final record came
  // since the last expiry (at most kMaxFlowRefs). No event of theirs
  // follows, so a candidate need not keep them to count them once.
  bool live_ = false;
  std::unordered_set<uint64_t> ended_;
};

}  // namespace ms::detect
