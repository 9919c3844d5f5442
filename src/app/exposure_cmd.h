// `medsentry exposure`: loads advisories (CSAF 2.0), SBOMs and VEX documents
// and MDS2 forms into the inventory database and links every device to the advisories and
// vulnerabilities that apply to it, and its MDS2 form to what it was seen
// doing (docs/exposure.md).
#pragma once

#include <string>
#include <vector>

namespace ms {

struct ExposureOptions {
  std::string db_path;                   // empty: inv::default_db_path()
  std::vector<std::string> advisories;   // files or directories of CSAF JSON
  std::vector<std::string> sboms;        // CycloneDX JSON, or MAKE/MODEL[/VERSION]=FILE
  std::vector<std::string> vex;          // CycloneDX VEX JSON
  std::vector<std::string> mds2;         // MDS2 forms (XLSX), or MAKER;MODEL=FILE
  std::string kev;                       // CISA's KEV catalog JSON
  std::string epss;                      // FIRST's EPSS CSV
  std::string format = "table";          // table, json, csv
};

int run_exposure(const ExposureOptions& opt);

}  // namespace ms
