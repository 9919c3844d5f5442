// The end-of-run summary: printed for the user and written as the `stats`
// event (the last line of events.jsonl).
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "app/dispatcher.h"
#include "capture/capture_live.h"
#include "decode/defrag.h"
#include "decode/flood_meter.h"
#include "events/event.h"
#include "flow/flow_engine.h"
#include "detect/engine.h"
#include "inventory/inventory.h"

namespace ms {

struct Summary {
  size_t files = 0;
  int workers = 1;
  DispatchStats dispatch;
  DefragStats defrag;
  FloodStats floods;
  FlowStats flows;
  double elapsed = 0;
  std::vector<std::string> warnings;
  bool interrupted = false;
  std::map<std::string, uint64_t> event_counts;
  std::string outdir;
  bool has_inventory = false;
  inv::Stats inventory;
  std::string inventory_db;
  bool has_detect = false;
  detect::Stats detect;
  // `medsentry monitor`; the capture sockets' kernel counters (none for an
  // analysis or `monitor --read`).
  bool monitor = false;
  std::vector<LiveIfStats> live;
};

Event make_stats_event(const Summary& s);
// The monitor's periodic `stats` event: {"interim": true, "live": {...}},
// the packets read so far and every socket's kernel counters.
Event make_live_stats_event(TimeNs ts, double uptime_s, const DispatchStats& d, const std::vector<LiveIfStats>& ifs);
void print_summary(std::ostream& os, const Summary& s);

}  // namespace ms
