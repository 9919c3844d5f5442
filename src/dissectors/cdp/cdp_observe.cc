// CDP events -> inventory observations: device ID, platform, software
// version, capabilities and management addresses, on the sender's MAC.
#include "dissectors/cdp/cdp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_cdp(const ObserveCtx& c) {
  const cdp::CdpEvent* ev = c.e.as<cdp::CdpEvent>();
  if (!ev) return;
  const cdp::Info& d = ev->info;
  std::string m = mac_key(ev->src_mac);
  c.add(m, "hostname", d.device_id, "cdp.device_id", kNamed);
  c.add(m, "model", d.platform, "cdp.platform", kStated);
  c.add(m, "description", d.software_version, "cdp.software_version", kDescribed);
  for (const std::string& s : d.capabilities) {
    if (s.find("router") != std::string::npos || s.find("switch") != std::string::npos ||
        s.find("bridge") != std::string::npos) {
      c.add(m, "role", "network", "cdp.capabilities", kStated);
    }
  }
  for (const std::string& x : d.management_addresses) {
    if (!ip_key(x).empty()) c.add(m, "ip", x, "cdp.management_address", kNamed);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(cdp, {.event_type = "cdp", .typed = observe_cdp});

}  // namespace ms::inv
