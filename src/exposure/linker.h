// Every stored source against every device of the inventory (match.h,
// sbom_vex.h), the links replacing the stored ones: what `medsentry
// exposure` prints, and what `risk` and `report` run first so that they never
// rank from links older than the inventory.
#pragma once

#include <vector>

#include "exposure/match.h"
#include "inventory/store.h"

namespace ms::exposure {

std::vector<Link> refresh_links(inv::Db& db);

}  // namespace ms::exposure
