// The interface every detection rule implements (docs/detections.md "Adding
// a rule"). A rule is one file in src/detect/rules/: what it wants (event
// types; "flow" for flow records), what it keeps (its own bounded state, fed
// by take()), how it judges at the end of the run with the inventory's device
// facts (judge(), raising alerts through the Judge), and what to do (its
// response). It registers itself from its file with MS_REGISTER_RULE; the rule
// objects are linked as an OBJECT library (ms_detect_rules) so the linker
// cannot drop a registration. The engine builds a table from event type to
// the rules that want it once, and nothing central lists the rules.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "detect/baseline.h"
#include "detect/config.h"
#include "events/event.h"

namespace ms::detect {

class EvidenceFlows;
struct Budget;
struct Expiry;
class Judge;

// What an alert is (the static part of every alert a rule raises).
struct RuleInfo {
  const char* rule;  // the name in alerts, the configuration and the allow-list
  int sid;           // signature id
  const char* name;  // one line for people
  const char* category;
  const char* mitre_ics;         // ATT&CK for ICS, "" where none fits
  const char* mitre_enterprise;  // ATT&CK Enterprise, "" where none fits
};

// One event as the rules see it: rules read the typed struct
// (`event().as<T>()`, the protocol's `<p>_events.h`) or the flow record,
// never the JSON line (STYLE.md 12: the keys live only in the writers).
class Input {
 public:
  explicit Input(const Event& e) : e_(e) {}
  const Event& event() const { return e_; }
  const FlowRow* flow() const { return e_.flow.get(); }  // set for flow records

 private:
  const Event& e_;
};

// What the rules share while collecting: the configuration (immutable), the
// counters, the flows alerts will name, and caps that span several rules.
struct Context {
  const Config& cfg;
  Stats& stats;
  EvidenceFlows& flows;
  Budget& records;        // login attempts and DICOM queries
  Budget& conversations;  // conversations, HL7 orders, DICOM AE titles (baselines)
};

// The response steps of an alert (response.h writes them): whose device it
// is about, how to contain it, and how to recover.
struct Response {
  enum class About { kSource, kDestination, kDestinationUnlessMedicalSource };
  enum class Contain { kBlockPair, kIsolateSource, kBlockDestination, kSegment };
  About about = About::kSource;
  Contain contain = Contain::kBlockPair;
  std::string recover;  // "" for none
  // When set, the contain step as the rule words it (then `contain` is not
  // used): for a containment none of the kinds above describes.
  std::string contain_text = {};
};

class Rule {
 public:
  virtual ~Rule() = default;
  // The alerts it raises: one for most rules; a rule with variants (one
  // state, several verdicts) lists each.
  virtual std::span<const RuleInfo> alerts() const = 0;
  // The event types it reads; "flow" for flow records.
  virtual std::span<const std::string_view> wants() const = 0;
  // One event of a wanted type, in any order (collection must not depend on
  // it: sets, minima, counts). Every table the rule keeps is bounded.
  virtual void take(const Input& in, Context& ctx) = 0;
  // Adds what its state shows before `end` to a baseline being learned;
  // returns how many hosts' conversations it read (for the file's comment).
  virtual size_t learn(Baseline& b, TimeNs end, const Config& cfg) const { return 0; }
  // At the end of the run: raises its alerts through the judge.
  virtual void judge(Judge& j) = 0;
  // Only in the live monitor, after a judgement: drops what it keeps about
  // activity that ended before x.before (packet time) and marks the flows
  // its remaining state names (expiry.h has the helpers). Without it a
  // sensor running for months would fill every table to its cap.
  virtual void expire(Expiry& x) = 0;
  virtual Response response(const Alert& a) const = 0;
};

using RuleFactory = std::unique_ptr<Rule> (*)();

class RuleRegistry {
 public:
  static bool add(RuleFactory make);
  // A fresh instance of every registered rule (one run's state), in order
  // of their first signature id.
  static std::vector<std::unique_ptr<Rule>> make_all();
  // Every alert any rule raises, by signature id.
  static const std::vector<RuleInfo>& infos();
  // Whether any rule wants this event type.
  static bool wanted(std::string_view event_type);
};

#define MS_REGISTER_RULE(ident, Class)                                                            \
  [[maybe_unused]] static const bool ms_registered_rule_##ident = ::ms::detect::RuleRegistry::add( \
      []() -> std::unique_ptr<::ms::detect::Rule> { return std::make_unique<Class>(); })

}  // namespace ms::detect
