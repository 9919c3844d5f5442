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

// The report's HTML for an inventory database (the console's download uses
// it too, so both give the same page). Throws with one line.
std::string report_html(const std::string& db_path);

// Renders an HTML file to PDF with WeasyPrint, killed after timeout_s
// seconds. Throws with one line (WeasyPrint missing, failed, too slow).
void html_to_pdf(const std::string& html_path, const std::string& pdf_path, int timeout_s);

// WeasyPrint is on PATH (an executable `weasyprint`).
bool weasyprint_available();

}  // namespace ms
