// One field of a device record (manufacturer, model, OS, ...) as the
// derivation builds it: candidate values, each with its evidence, ranked
// once at the end. Conflicts are kept and shown, never overwritten.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "inventory/store.h"

namespace ms::inv {

struct Evidence {
  std::string source, observed;
  double conf;
  TimeNs first, last;
  uint64_t count, flow_id;
};

struct Candidate {
  std::string value;
  double conf = 0;
  std::vector<Evidence> evidence;
};

// Candidates for one field: the displayed value is the most confident, then
// the best supported, then the most specific; the others stay in the record.
// Independent pieces of evidence for one value add up (noisy-OR: 1 - the
// product of each one's doubt), so three weak hints can outweigh one.
class Field {
 public:
  // One piece of evidence: `row` says `observed`, which supports `value`.
  // The same source and observation count once, at their highest confidence.
  void add(const std::string& value, double conf, const ObservationRow& row, const std::string& observed);
  // Every candidate with its combined confidence, best first, each with its
  // strongest pieces of evidence (at most kMaxEvidence).
  std::vector<Candidate> ranked() const;

 private:
  std::map<std::string, Candidate> by_value_;
};

// The shown value: the best ranked candidate.
std::string best(const std::vector<Candidate>& ranked);

// The best value, or a more specific one that contains it ("Alaris PC Unit
// 8015" over "Alaris"): the evidence for the product line supports the model
// too. The most specific refinement that is itself well supported wins.
std::string best_specific(const std::vector<Candidate>& ranked);

}  // namespace ms::inv
