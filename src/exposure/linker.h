// Every stored source against every device of the inventory (match.h,
// sbom_vex.h), the links replacing the stored ones: what `medsentry
// exposure` prints, and what `risk` and `report` run first so that they never
// rank from links older than the inventory.
#pragma once

#include <vector>

#include "exposure/match.h"
#include "exposure/mds2/mds2_compare.h"
#include "inventory/store.h"

namespace ms::exposure {

std::vector<Link> refresh_links(inv::Db& db);

// Every stored MDS2 form against the devices it names (its stored selector,
// else DOC-1 maker and each DOC-3 model), the discrepancies replacing the
// stored ones.
std::vector<Mds2Discrepancy> refresh_mds2(inv::Db& db);

}  // namespace ms::exposure
