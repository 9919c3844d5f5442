// `medsentry monitor`: live capture from one or more interfaces (a SPAN
// port, a TAP) into the same pipeline as `analyze`, until SIGTERM or SIGINT.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "app/analyze.h"
#include "capture/capture_live.h"

namespace ms {

struct MonitorOptions {
  AnalyzeOptions base;          // workers, flows, PHI key, inventory, detections, outdir
  LiveOptions capture;          // interfaces, filter, ring
  unsigned stats_interval = 60;  // seconds between `stats` events
  // A closed or reset TCP connection is reported this long after its last
  // packet (analyze waits 10 s for stragglers; live, the inventory and the
  // alerts wait for the flow record: docs/decisions.md "Live monitor").
  unsigned closed_timeout_ms = 1000;
  // A flow that lasts reports every this many seconds (interim flow
  // records: reason "active_timeout", same flow id; analyze: 3600).
  unsigned flow_interval_s = 300;
  // `--read FILE`: a capture file instead of interfaces, read at CPU
  // speed through the same stages, paced by packet time (the soak and
  // other long runs in minutes: bench/soak.sh --read); ends at its end.
  std::string read_file;
  // Run as this user once the capture sockets are open ("" keeps the
  // current one): root is needed only to open them.
  std::string user;
  // Events rotation and retention (0: off); see LiveTiming.
  uint64_t rotate_bytes = 0, retain_bytes = 0;
  unsigned rotate_seconds = 0, retain_days = 0;
  bool rotate_zstd = false;
};

// Set by SIGHUP: reload the --config file (detections' settings).
extern std::atomic<bool> g_reload;

// Runs until g_interrupted; returns the process exit code (0 after a
// signal: that is how a monitor ends).
int run_monitor(const MonitorOptions& opt);

}  // namespace ms
