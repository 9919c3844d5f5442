// LLDP events -> inventory observations: what a device's frames say of it
// (system name and description, LLDP-MED inventory, capabilities, management
// addresses), on its MAC.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_lldp(const ObserveCtx& c, const JsonValue& d) {
  std::string m = mac_key(str(&d, "src_mac"));
  c.add(m, "hostname", str(&d, "system_name"), "lldp.system_name", kNamed);
  c.add(m, "description", str(&d, "system_description"), "lldp.system_description", kDescribed);
  c.add(m, "manufacturer", str(&d, "manufacturer"), "lldp.med", kStated);
  c.add(m, "model", str(&d, "model"), "lldp.med", kStated);
  c.add(m, "serial", str(&d, "serial"), "lldp.med", kStated);
  std::string_view fw = str(&d, "firmware_rev");
  c.add(m, "version", fw.empty() ? str(&d, "software_rev") : fw, "lldp.med", kStated);
  if (const JsonValue* caps = d.get("capabilities_enabled")) {
    for (const JsonValue& x : caps->items) {
      if (x.str() == "router" || x.str() == "bridge" || x.str() == "wlan_access_point") {
        c.add(m, "role", "network", "lldp.capabilities", kStated);
      }
    }
  }
  if (const JsonValue* a = d.get("management_addresses")) {
    for (const JsonValue& x : a->items) {
      if (!ip_key(x.str()).empty()) c.add(m, "ip", x.str(), "lldp.management_address", kNamed);
    }
  }
}

}  // namespace

MS_REGISTER_OBSERVER(lldp, {"lldp", observe_lldp});

}  // namespace ms::inv
