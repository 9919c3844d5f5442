// The inventory's counters for one run (the summary and `stats.inventory`):
// kept by the aggregation (observations, evictions, drops) and the
// derivation (devices, new, changed).
#pragma once

#include <cstdint>

namespace ms::inv {

struct Stats {
  uint64_t observations = 0;
  uint64_t evictions = 0;         // devices written out early because of max_devices
  uint64_t max_resident = 0;      // most device records held at once
  uint64_t dropped = 0;           // observations beyond a device's attribute cap
  uint64_t unseen_names = 0;      // addresses only named by DNS, never seen: not kept
  uint64_t devices = 0;           // devices in the database after the run
  uint64_t devices_new = 0;
  uint64_t devices_changed = 0;
};

}  // namespace ms::inv
