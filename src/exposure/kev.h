// CISA's Known Exploited Vulnerabilities catalog (the JSON file the user
// downloads: catalogVersion, vulnerabilities[] with cveID, vendorProject,
// product, dateAdded, dueDate, requiredAction, knownRansomwareCampaignUse;
// schema in ../shared/corpus/cisa-kev). Pure and bounded.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace ms::exposure {

constexpr size_t kKevMaxBytes = 32u << 20;
constexpr size_t kKevMaxValues = 1'000'000;  // the 2025 catalog: 18,192

struct KevEntry {
  std::string date_added, due_date, required_action;
  bool ransomware = false;  // knownRansomwareCampaignUse "Known"
};

struct KevCatalog {
  std::string version;
  std::unordered_map<std::string, KevEntry> by_cve;
};

// nullptr, or why the text is no KEV catalog.
const char* parse_kev(std::string_view text, KevCatalog& out);

}  // namespace ms::exposure
