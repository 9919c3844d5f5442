// Fuzz target for the KEV catalog and EPSS CSV readers (src/exposure/kev.h,
// epss.h), and the risk score that reads them with the input's CVEs.
//
// fuzz-replay: tests/data/epss_sample.csv tests/fuzz/regressions_kev_epss/
#include <string_view>

#include "exposure/risk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 262144) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ms::exposure::KevCatalog kev;
  ms::exposure::EpssTable epss;
  bool k = !ms::exposure::parse_kev(text, kev), e = !ms::exposure::parse_epss(text, epss);
  if (!k && !e) return 0;
  ms::exposure::RiskInput in;
  in.id.id = "dev";
  in.id.type = "infusion pump";
  in.links.resize(1);
  for (const auto& c : kev.by_cve) in.links[0].vulns.push_back({c.first, "", "", "", 9.8, {}, ""});
  for (const auto& c : epss.by_cve) in.links[0].vulns.push_back({c.first, "", "", "", 5.0, {}, ""});
  if (in.links[0].vulns.size() > 256) in.links[0].vulns.resize(256);
  ms::exposure::assess_risk(in, kev, epss);
  return 0;
}
