// The console's static files, compiled in from src/console/static/ by
// cmake/embed_assets.cmake: a closed set of names, so no request path ever
// reaches the file system.
#pragma once

#include <cstddef>

namespace ms::console {

struct Asset {
  const char* name;
  const char* type;
  const char* data;
};
extern const Asset kAssets[];
extern const size_t kAssetCount;

// The asset of that exact name, or nullptr.
const Asset* find_asset(const char* name);

}  // namespace ms::console
