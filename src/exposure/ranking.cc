// Ranking (ranking.h): the stored links, the stored KEV catalog and each
// device's inventory record.
#include "exposure/ranking.h"

#include <algorithm>
#include <map>

#include "exposure/exposure_store.h"
#include "exposure/linker.h"

namespace ms::exposure {

std::vector<DeviceRisk> rank_devices(inv::Db& db) {
  refresh_links(db);
  KevCatalog kev;
  std::vector<SourceDoc> k = load_sources(db, "kev");
  if (!k.empty()) parse_kev(k.front().body, kev);
  EpssTable epss;
  std::vector<SourceDoc> e = load_sources(db, "epss");
  if (!e.empty()) parse_epss(e.front().body, epss);
  std::map<std::string, std::vector<Link>> links;
  for (Link& l : read_links(db)) links[l.device].push_back(std::move(l));
  std::map<std::string, std::string> records;
  for (auto& r : read_records(db)) records[r.first] = std::move(r.second);
  std::vector<DeviceRisk> out;
  for (const DeviceIdentity& d : read_devices(db)) {
    RiskInput in{d, records[d.id], links[d.id]};
    out.push_back(assess_risk(in, kev, epss));
  }
  std::stable_sort(out.begin(), out.end(), [](const DeviceRisk& a, const DeviceRisk& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.ip < b.ip;
  });
  return out;
}

}  // namespace ms::exposure
