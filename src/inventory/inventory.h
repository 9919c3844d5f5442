// The device inventory (docs/inventory.md): observations from the events of
// a run, aggregated in memory under a cap, merged into a persistent SQLite
// database, and turned into device records with evidence and confidence.
// Three parts behind this facade: the store (inventory/store.h: schema and
// I/O), the aggregation (inventory/aggregate.h: memory under caps) and the
// derivation (inventory/derive.h: device records by a table of steps).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "events/event.h"
#include "inventory/aggregate.h"
#include "inventory/derive.h"
#include "inventory/observe.h"
#include "inventory/stats.h"
#include "inventory/store.h"

namespace ms::inv {

struct Options {
  std::string db_path;
  size_t max_devices = 100000;  // device records held in memory during a run
  std::string capture_key;      // identifies the input (capture_key_of)
  std::string capture_files;    // for the captures table
};

class Inventory {
 public:
  explicit Inventory(const Options& opt);

  // Loads what the derivation will need (the IEEE registries, the
  // signature table), so that it costs nothing at the end of the run. The
  // signatures' patterns are compiled when a device's text first passes
  // their prefilter (knowledge.h), most of them never.
  void prepare();
  // Every event of the run, in one thread.
  void add(const Event& e);
  // Writes what is in memory, derives every device, and returns the `device`
  // events (new devices, changed conclusions), sorted by time.
  std::vector<Event> finish();
  const Stats& stats() const { return stats_; }
  // For the stages that store next to the devices (the detections' alerts).
  Db& db() { return db_; }
  int64_t capture_id() const { return writer_.capture_id(); }

 private:
  Options opt_;
  Stats stats_;
  Db db_;
  ObservationWriter writer_;
  Aggregator aggregator_;
  std::unordered_map<uint64_t, uint8_t> hl7_seen_;  // flow id -> messages read, PHI seen
  std::string signature_;                           // flow_signature's buffer
};

}  // namespace ms::inv
