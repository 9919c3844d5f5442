// Every device of the database assessed (risk.h) and ranked top risk first:
// what `medsentry risk` prints and the report's ranked table. The links are
// refreshed first (linker.h).
#pragma once

#include <vector>

#include "exposure/risk.h"
#include "inventory/store.h"

namespace ms::exposure {

std::vector<DeviceRisk> rank_devices(inv::Db& db);

}  // namespace ms::exposure
