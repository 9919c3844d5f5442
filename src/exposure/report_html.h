// The HIPAA risk analysis report as one self-contained HTML page (inline CSS,
// an inline SVG chart): ranked risks top first, then the vulnerable devices
// with their maker to contact, default and cleartext passwords, end-of-life
// systems, the PHI map, what MDS2 forms declare against what the network
// showed, and the date, scope and method a compliance officer
// files it with. Every text that came from a device or an advisory is
// escaped by construction (Html::text); markup is only ever literal.
#pragma once

#include <string>
#include <vector>

#include "exposure/match.h"
#include "exposure/mds2/mds2_compare.h"
#include "exposure/risk.h"

namespace ms::exposure {

struct ReportInput {
  std::string generated;               // ISO time of the report
  std::string database;                // the inventory it was made from
  std::vector<std::string> captures;   // what was analysed: files and when
  size_t advisories = 0;               // CSAF documents loaded
  std::string kev_version;             // "" when no KEV catalog
  std::vector<DeviceRisk> ranked;      // top risk first
  std::vector<Link> links;
  std::vector<DeviceIdentity> devices;
  std::vector<std::pair<std::string, std::string>> records;  // device id, inventory record JSON
  std::vector<Mds2Discrepancy> mds2;   // MDS2 forms against the network
};

std::string render_report_html(const ReportInput& in);

}  // namespace ms::exposure
