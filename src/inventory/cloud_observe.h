// Names a host calls, as observations of the caller (issue 16): only names
// data/cloud_endpoints.csv knows are kept, so the inventory does not store
// every name every host looks up. Included by the DNS, TLS and HTTP observers.
#pragma once

#include <string_view>

#include "inventory/cloud_knowledge.h"
#include "inventory/observe_util.h"

namespace ms::inv {

// `caller` called `name` (a DNS question, a TLS SNI or certificate name, an
// HTTP Host without its port); `source` says how it was seen.
inline void add_called_name(const ObserveCtx& c, const std::string& caller, std::string_view name, const char* source) {
  if (name.size() > 3 && name.substr(0, 2) == "*.") name.remove_prefix(2);  // a wildcard certificate name
  if (cloud_of_name(name)) c.add(caller, "cloud_name", name, source, kDescribed);
}

}  // namespace ms::inv
