// `medsentry report`: the HIPAA risk analysis of the inventory database as
// HTML, or PDF through WeasyPrint (docs/exposure.md "Report").
#pragma once

#include <string>

namespace ms {

struct ReportOptions {
  std::string db_path;  // empty: inv::default_db_path()
  std::string format = "html";  // html, pdf
  std::string out;      // required
};

int run_report(const ReportOptions& opt);

}  // namespace ms
