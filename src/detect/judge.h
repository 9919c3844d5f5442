// Judging at the end of a run (shared by every rule): the device facts, the
// baseline to compare with, and raise(), which applies the configuration
// (disabled rules, allow-list), names the alert's earliest flows, and writes
// the alert object with its response steps.
#pragma once

#include <climits>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "detect/alert.h"
#include "detect/baseline.h"
#include "detect/candidates.h"
#include "detect/config.h"
#include "detect/rule.h"

namespace ms::detect {

class Judge {
 public:
  Judge(const Config& cfg, Stats& stats, const Facts& facts, EvidenceFlows& flows, const Baseline* base,
        TimeNs learn_end)
      : cfg_(cfg), stats_(stats), facts_(facts), flows_(flows), base_(base), learn_end_(learn_end) {}

  const Config& cfg() const { return cfg_; }
  const DeviceFacts* fact(const std::string& ip) const;
  // The baseline to judge against (loaded, or learned in this run), or null.
  const Baseline* baseline() const { return base_; }
  // Activity before this time was the in-run learning (LLONG_MIN: none).
  TimeNs learn_end() const { return learn_end_; }
  EvidenceFlows& flows() { return flows_; }

  // The rule whose alerts follow (its info and response).
  void set_rule(const Rule* r) { rule_ = r; }
  void raise(const std::string& rule, Severity sev, const std::string& src, const std::string& dst,
             const std::string& protocol, TimeNs first, TimeNs last, uint64_t count,
             const std::map<uint64_t, TimeNs>& flows, uint64_t flows_over,
             const std::function<void(JsonWriter&)>& evidence, uint16_t port = 0);
  // An alert from a candidate: its count, times, flows, and evidence lists.
  void from_candidate(const Candidate& c, Severity sev, const std::string& src, const std::string& dst);
  std::vector<Alert>& alerts() { return out_; }

 private:
  const Config& cfg_;
  Stats& stats_;
  const Facts& facts_;
  EvidenceFlows& flows_;
  const Baseline* base_;
  TimeNs learn_end_;
  const Rule* rule_ = nullptr;
  std::vector<Alert> out_;
};

}  // namespace ms::detect
