// The detection stage (docs/detections.md): reads every event of a run on the
// correlation thread, keeps small per-key state (windows, counters, evidence),
// and at the end of the run judges it with the inventory's device facts into
// de-duplicated alerts: one per rule, source, destination and protocol, with a
// count, the flows to cut out of the capture, and the response steps.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <optional>

#include "detect/baseline.h"
#include "detect/config.h"
#include "events/event.h"

namespace ms::inv {
class Db;
}

namespace ms::detect {

enum class Severity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
const char* severity_name(Severity s);
bool parse_severity(std::string_view s, Severity& out);

// What the inventory concluded about the device behind an address.
struct DeviceFacts {
  std::string id, mac, mac_vendor, type, manufacturer, model, os;
  bool medical = false, os_eol = false;
};
using Facts = std::unordered_map<std::string, DeviceFacts>;  // by IP address
// Every device of the inventory database, by each of its addresses.
Facts load_facts(inv::Db& db);

struct FlowRef {
  uint64_t id = 0;
  std::string src_ip, dest_ip, proto;
  uint16_t src_port = 0, dest_port = 0;
  TimeNs start = 0, end = 0;  // 0: the flow event was not seen
};

struct Alert {
  std::string id;  // stable: the same capture gives the same ids
  int signature_id = 0;
  std::string rule;
  Severity severity = Severity::kInfo;
  std::string src_ip, dest_ip, protocol;
  TimeNs first = 0, last = 0;
  uint64_t count = 0;
  std::vector<FlowRef> flows;  // the earliest kMaxAlertFlows
  uint64_t flows_total = 0;
  std::string json;  // the alert object, as in the event and the database
};

constexpr size_t kMaxAlertFlows = 64;

struct Stats {
  uint64_t alerts = 0;
  uint64_t by_severity[5] = {0, 0, 0, 0, 0};
  uint64_t allowed = 0;        // silenced by an [[allow]] entry
  uint64_t dropped_state = 0;  // records beyond the state caps (counted, not kept)
};

class Engine {
 public:
  explicit Engine(Config cfg);
  // The event types any rule reads (the rest are skipped without parsing).
  static bool wanted(std::string_view event_type);
  // Every event of the run, in one thread, in any order.
  void add(const Event& e);
  // Judges what was collected; alerts sorted by first time, then id.
  std::vector<Alert> finish(const Facts& facts);
  const Stats& stats() const { return stats_; }
  const Config& config() const { return cfg_; }
  // Rule 10: judge the run against a baseline learned elsewhere, and/or
  // write what this run shows as a baseline (at finish()).
  void set_baseline(Baseline b) { baseline_ = std::move(b); }
  void learn_baseline_to(std::string path) { learn_path_ = std::move(path); }

  // State, public for the rules in engine.cc.
  struct Candidate {
    std::string rule, src, dst, protocol;
    TimeNs first = 0, last = 0;
    uint64_t count = 0;
    std::map<uint64_t, TimeNs> flows;  // flow id -> earliest event time (capped)
    uint64_t flows_over = 0;
    std::map<std::string, std::set<std::string>> lists;  // smallest values kept (deterministic)
    std::map<std::string, uint64_t> counters;
    std::map<std::string, std::string> fields;  // the smallest value seen
  };
  struct Probe {
    TimeNs ts, end;
    std::string dst;
    uint16_t port, sport;
    uint8_t proto;
    uint64_t flow_id;
  };
  struct Attempt {
    TimeNs ts;
    bool success;
    uint64_t flow_id;
  };
  struct Conv {  // a conversation a host started: first time, first flow, how many flows
    TimeNs first;
    uint64_t flow_id;
    uint64_t flows;
  };
  struct Query {
    TimeNs ts;
    bool broad;
    uint64_t flow_id;
  };

 private:
  Candidate& cand(const char* rule, const std::string& src, const std::string& dst, std::string_view protocol,
                  const Event& e);
  void on_flow(const Event& e);
  // Candidates about files carried by a bare TCP connection become "ftp" ones
  // when an FTP control channel announced that connection (any order).
  void join_ftp_data();
  void ref_flow(const Event& e);  // keeps the flow's 5-tuple for the evidence
  void remember(std::map<std::string, std::map<std::string, Conv>>& m, const std::string& host, std::string key,
                const Event& e);

  Config cfg_;
  Stats stats_;
  std::map<std::string, Candidate> cands_;  // rule \x1f src \x1f dst \x1f protocol
  std::unordered_map<std::string, std::vector<Probe>> probes_;     // by source
  std::map<std::string, std::vector<Attempt>> logins_;             // src \x1f dst \x1f protocol
  std::map<std::string, std::vector<Query>> queries_;              // src \x1f dst
  std::unordered_map<uint64_t, FlowRef> flow_refs_;                // flows named by candidates
  std::unordered_map<uint64_t, std::string> calling_ae_;           // DICOM flow -> calling AE
  std::unordered_map<std::string, std::pair<TimeNs, TimeNs>> seen_ips_;  // first/last flow time, for end-of-life findings
  std::map<std::string, std::map<std::string, Conv>> convs_;       // host -> "PEER service"
  std::map<std::string, std::map<int64_t, uint64_t>> hourly_;      // host -> hour -> bytes sent
  std::map<std::string, std::map<std::string, Conv>> orders_;      // receiver -> "SENDER TYPE" (HL7 orders)
  std::set<std::string> ftp_channels_;  // "HOST PORT" of announced FTP data connections
  std::map<std::string, std::map<std::string, Conv>> aes_;         // called host -> calling AE title
  TimeNs first_ts_ = 0;
  std::optional<Baseline> baseline_;
  std::string learn_path_;
  size_t probe_count_ = 0, record_count_ = 0, conv_count_ = 0;
  friend struct Judge;
};

// The `alert` events of a run (EVE-like envelope, then "alert": {...}).
std::vector<Event> alert_events(const std::vector<Alert>& alerts);
// Replaces this capture's alerts in the inventory database.
void store_alerts(inv::Db& db, int64_t capture_id, const std::vector<Alert>& alerts);

}  // namespace ms::detect
