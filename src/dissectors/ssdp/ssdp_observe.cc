// SSDP events -> inventory observations: the SERVER header of a device's
// NOTIFY or search response.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_ssdp(const ObserveCtx& c, const JsonValue& d) {
  // NOTIFY and responses come from the device described.
  if (!str(&d, "method").empty() && str(&d, "method") != "NOTIFY") return;
  c.add(c.src, "ssdp_server", str(&d, "server"), "ssdp.server", kDescribed);
}

}  // namespace

MS_REGISTER_OBSERVER(ssdp, {"ssdp", observe_ssdp});
MS_REGISTER_APP_SECURITY(ssdp, "ssdp", "cleartext");

}  // namespace ms::inv
