// The inventory's derivation (docs/inventory.md "Derivation"): device
// records from every observation in the store. Addresses are first bound to
// the MAC that holds them; then each device runs a fixed table of small steps
// (derive.cc kSteps; the steps are in derive_steps.h), and the `devices`
// table is replaced, with a `device` event for each new or changed device.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "events/event.h"
#include "inventory/stats.h"
#include "inventory/store.h"

namespace ms::inv {

// Rebuilds the `devices` table from every observation in the database and
// returns the device events (diff against the table before). Exposed for
// tests and for `medsentry inventory --rebuild`.
std::vector<Event> derive_devices(Db& db, Stats& stats);

// One device from its observations (addresses already resolved to their
// MAC); nothing when the key is not a device of ours (a remote or never
// seen address). `gateway`: the MAC forwards for many addresses.
std::optional<DeviceRecord> derive_device(const std::string& key, const std::vector<ObservationRow>& rows, bool gateway);

}  // namespace ms::inv
