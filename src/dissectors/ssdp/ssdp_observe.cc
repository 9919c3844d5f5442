// SSDP events -> inventory observations: the SERVER header of a device's
// NOTIFY or search response.
#include "dissectors/ssdp/ssdp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_ssdp(const ObserveCtx& c) {
  const ssdp::SsdpEvent* d = c.e.as<ssdp::SsdpEvent>();
  // NOTIFY and responses come from the device described.
  if (!d || (!d->method.empty() && d->method != "NOTIFY")) return;
  c.add(c.src, "ssdp_server", d->server, "ssdp.server", kDescribed);
}

}  // namespace

MS_REGISTER_OBSERVER(ssdp, {.event_type = "ssdp", .typed = observe_ssdp});
MS_REGISTER_APP_SECURITY(ssdp, "ssdp", "cleartext");

}  // namespace ms::inv
