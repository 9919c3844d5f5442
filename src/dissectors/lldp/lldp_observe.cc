// LLDP events -> inventory observations: what a device's frames say of it
// (system name and description, LLDP-MED inventory, capabilities, management
// addresses), on its MAC.
#include "dissectors/lldp/lldp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_lldp(const ObserveCtx& c) {
  const lldp::LldpEvent* ev = c.e.as<lldp::LldpEvent>();
  if (!ev) return;
  const lldp::Info& d = ev->info;
  std::string m = mac_key(ev->src_mac);
  c.add(m, "hostname", d.system_name, "lldp.system_name", kNamed);
  c.add(m, "description", d.system_description, "lldp.system_description", kDescribed);
  c.add(m, "manufacturer", d.manufacturer, "lldp.med", kStated);
  c.add(m, "model", d.model, "lldp.med", kStated);
  c.add(m, "serial", d.serial, "lldp.med", kStated);
  c.add(m, "version", d.firmware_rev.empty() ? d.software_rev : d.firmware_rev, "lldp.med", kStated);
  for (const std::string& x : d.enabled) {
    if (x == "router" || x == "bridge" || x == "wlan_access_point") c.add(m, "role", "network", "lldp.capabilities", kStated);
  }
  for (const std::string& x : d.management_addresses) {
    if (!ip_key(x).empty()) c.add(m, "ip", x, "lldp.management_address", kNamed);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(lldp, {.event_type = "lldp", .typed = observe_lldp});

}  // namespace ms::inv
