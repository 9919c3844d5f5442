// RDP events -> inventory observations: the client's name.
#include "dissectors/rdp/rdp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_rdp(const ObserveCtx& c) {
  const rdp::RdpEvent* d = c.e.as<rdp::RdpEvent>();
  if (d) c.add(c.src, "hostname", d->core ? std::string_view(d->core->client_name) : "", "rdp.client_name", kNamed);
}

}  // namespace

MS_REGISTER_OBSERVER(rdp, {.event_type = "rdp", .typed = observe_rdp});
MS_REGISTER_APP_SECURITY(rdp, "rdp", "encrypted");

}  // namespace ms::inv
