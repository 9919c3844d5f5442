// What the detect stage produces and reads: alerts (as events and as rows of
// the inventory database) and the inventory's facts about the devices behind
// the addresses, which the rules judge with at the end of a run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/types.h"
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

// The `alert` events of a run (EVE-like envelope, then "alert": {...}).
std::vector<Event> alert_events(const std::vector<Alert>& alerts);
// Stores the alerts in the inventory database. `replace`: this capture's
// other rows go (analyze, whose judgement at the end is the whole truth).
// The live monitor only adds and updates: an alert whose rule's state
// expired is no longer judged (detect/expiry.h) but stays, final.
void store_alerts(inv::Db& db, int64_t capture_id, const std::vector<Alert>& alerts, bool replace = true);
// The live monitor's SIGHUP: this capture's stored alerts that the new
// settings disable or allow go (the next judgement no longer raises them).
void drop_suppressed_alerts(inv::Db& db, int64_t capture_id, const Config& cfg);

}  // namespace ms::detect
