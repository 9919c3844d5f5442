// A CSAF 2.0 advisory reader (OASIS CSAF v2.0, csaf-v2.0-os.html): the
// document's identity, every product of the product tree with the path of
// branches that names it (vendor -> product_name -> product_version /
// product_version_range, §3.1.2), full_product_names and relationships
// (§3.2.2.4-5), identification helpers (§3.1.3.3), and the vulnerabilities
// with their product status, scores, remediations and threats (§3.2.3).
// Pure: text in, a CsafDoc out; bounded by the JSON reader's limits and the
// caps below.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms::exposure {

constexpr size_t kCsafMaxBytes = 4u << 20;
constexpr size_t kCsafMaxValues = 400'000;  // a 1.2 MB Red Hat CSAF VEX holds ~60,000
constexpr size_t kCsafMaxProducts = 4096;
constexpr size_t kCsafMaxVulns = 2048;
constexpr size_t kCsafMaxIds = 4096;  // product ids in one status list or remediation
constexpr size_t kCsafMaxText = 4096;  // a remediation's or note's text is cut there

struct CsafProduct {
  std::string id, name;                  // product_id and the full name
  std::string vendor, product, family;   // the branch names on its path
  std::string version;                   // a product_version / product_version_range name
  bool version_range = false;            // the version came from product_version_range
  std::vector<std::string> cpes, purls, models, skus, serials;  // identification helper
  std::string relates_to;                // a relationship's product: the product it is part of
};

struct CsafScore {
  std::string version, vector;  // "3.1", "CVSS:3.1/AV:N/..."; "4.0" for cvss_v4
  double base = 0;
  std::string severity;
  std::vector<std::string> products;
};

struct CsafRemediation {
  std::string category, details, url;
  std::vector<std::string> products;
};

struct CsafVuln {
  std::string cve, title, cwe;
  // product_status (§3.2.3.9), one list per category
  std::vector<std::string> known_affected, first_affected, last_affected, fixed, first_fixed, known_not_affected,
      under_investigation, recommended;
  std::vector<CsafScore> scores;
  std::vector<CsafRemediation> remediations;
  std::vector<CsafRemediation> threats;  // category, details, products
};

struct CsafDoc {
  std::string id, title, publisher, initial_date, current_date, category, csaf_version, tlp;
  std::vector<CsafProduct> products;
  std::vector<CsafVuln> vulns;
  size_t dropped = 0;  // products, vulnerabilities or ids past a cap

  const CsafProduct* product(std::string_view id) const;
};

// nullptr, or why the text is no CSAF 2.0 document ("json.syntax",
// "csaf.not_csaf", "csaf.too_large" ...).
const char* parse_csaf(std::string_view text, CsafDoc& out);

}  // namespace ms::exposure
