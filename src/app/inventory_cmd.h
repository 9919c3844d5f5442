// `medsentry inventory`: read the inventory database.
#pragma once

#include <string>

namespace ms {

struct InventoryOptions {
  std::string db_path;  // empty: inv::default_db_path()
  std::string format = "table";
  std::string type, vendor, subnet;
  bool medical_only = false;
};

int run_inventory(const InventoryOptions& opt);

}  // namespace ms
