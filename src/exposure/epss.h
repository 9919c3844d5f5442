// FIRST's Exploit Prediction Scoring System scores, the CSV the user
// downloads (first.org/epss/data_stats): a model line
// "#model_version:v2023.03.01,score_date:2023-03-19T00:00:00+0000", a header
// "cve,epss,percentile", then one row per CVE. Pure and bounded.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace ms::exposure {

constexpr size_t kEpssMaxBytes = 64u << 20;
constexpr size_t kEpssMaxRows = 1'000'000;  // 2025: about 280,000 CVEs

struct EpssScore {
  double probability = 0, percentile = 0;
};

struct EpssTable {
  std::string model, score_date;
  std::unordered_map<std::string, EpssScore> by_cve;
};

// nullptr, or why the text is no EPSS CSV (a row that does not read is skipped).
const char* parse_epss(std::string_view text, EpssTable& out);

}  // namespace ms::exposure
