// The exposure tables of the inventory database (docs/exposure.md): the
// sources loaded (advisories, SBOMs, VEX documents, kept whole so that later
// runs, the console and the report match from them) and the links computed
// from them (one row per device, advisory and vulnerability). Every SQL
// statement of src/exposure/ is here.
#pragma once

#include <string>
#include <vector>

#include "exposure/match.h"
#include "exposure/mds2/mds2_compare.h"
#include "inventory/store.h"

namespace ms::exposure {

void ensure_schema(inv::Db& db);

struct SourceDoc {
  std::string id, kind, path, title, date, body;  // kind: "csaf", "cyclonedx", "sbom_map"
};

// Stores (or replaces, by kind and id) a source document; at most
// kMaxSources are kept.
constexpr size_t kMaxSources = 20000;
void save_source(inv::Db& db, const SourceDoc& d);
std::vector<SourceDoc> load_sources(inv::Db& db, const std::string& kind);

// The devices as the inventory derived them.
std::vector<DeviceIdentity> read_devices(inv::Db& db);

// Replaces every link in one transaction.
void replace_links(inv::Db& db, const std::vector<Link>& links);

// The stored links, as replace_links wrote them (one per device, advisory
// and product entry, with their vulnerabilities).
std::vector<Link> read_links(inv::Db& db);

// Each device's full inventory record (JSON), by device id.
std::vector<std::pair<std::string, std::string>> read_records(inv::Db& db);

// The MDS2 discrepancies (mds2_compare.h), replaced in one transaction, and read back.
void replace_mds2(inv::Db& db, const std::vector<Mds2Discrepancy>& found);
std::vector<Mds2Discrepancy> read_mds2(inv::Db& db);

}  // namespace ms::exposure
