// `medsentry risk`: every device of the inventory ranked top risk first, with
// the factors of its score and the next action (docs/exposure.md "Risk").
// Reads the links `medsentry exposure` stored and the KEV catalog it loaded.
#pragma once

#include <string>

namespace ms {

struct RiskOptions {
  std::string db_path;  // empty: inv::default_db_path()
  std::string format = "table";  // table, json
};

int run_risk(const RiskOptions& opt);

}  // namespace ms
