// `medsentry analyze`: capture files in, events.jsonl and medsentry.db out.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "flow/flow_engine.h"

namespace ms {

struct AnalyzeOptions {
  std::vector<std::string> captures;
  std::string outdir = "medsentry-out";
  int workers = 0;  // 0: one per core
  FlowConfig flow;
  int progress = -1;  // -1: when stderr is a terminal
  bool quiet = false;  // no summary
  uint64_t anomaly_events_per_reason = 100;  // then only counted
  std::string phi_key;    // empty: PhiTokenizer::default_path()
  bool keep_phi = false;  // write patient identifiers in clear (loudly)
  std::string inventory_db;     // empty: inv::default_db_path()
  bool inventory = true;        // --no-inventory turns it off
  size_t max_devices = 100000;  // device records in memory during a run
  bool detect = true;           // --no-detect turns the detections off
  std::string config;           // detections' settings (docs/detections.md); empty: defaults
  std::string baseline;         // compare with this baseline (rule 10)
  std::string learn_baseline;   // write this run's baseline here
  std::string policy;           // a segmentation policy: its violations are alerts
};

// Set from a signal handler: stop reading, finish cleanly.
extern std::atomic<bool> g_interrupted;

// Runs an analysis; returns the process exit code. Prints one-line errors
// and warnings on stderr and the summary on stdout.
int run_analyze(const AnalyzeOptions& opt);

}  // namespace ms
