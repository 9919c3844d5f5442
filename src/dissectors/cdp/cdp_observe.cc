// CDP events -> inventory observations: device ID, platform, software
// version, capabilities and management addresses, on the sender's MAC.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_cdp(const ObserveCtx& c, const JsonValue& d) {
  std::string m = mac_key(str(&d, "src_mac"));
  c.add(m, "hostname", str(&d, "device_id"), "cdp.device_id", kNamed);
  c.add(m, "model", str(&d, "platform"), "cdp.platform", kStated);
  c.add(m, "description", str(&d, "software_version"), "cdp.software_version", kDescribed);
  if (const JsonValue* caps = d.get("capabilities")) {
    for (const JsonValue& x : caps->items) {
      std::string_view s = x.str();
      if (s.find("router") != std::string_view::npos || s.find("switch") != std::string_view::npos ||
          s.find("bridge") != std::string_view::npos) {
        c.add(m, "role", "network", "cdp.capabilities", kStated);
      }
    }
  }
  if (const JsonValue* a = d.get("management_addresses")) {
    for (const JsonValue& x : a->items) {
      if (!ip_key(x.str()).empty()) c.add(m, "ip", x.str(), "cdp.management_address", kNamed);
    }
  }
}

}  // namespace

MS_REGISTER_OBSERVER(cdp, {"cdp", observe_cdp});

}  // namespace ms::inv
