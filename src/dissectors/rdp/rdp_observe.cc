// RDP events -> inventory observations: the client's name.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_rdp(const ObserveCtx& c, const JsonValue& d) {
  c.add(c.src, "hostname", str(&d, "client_name"), "rdp.client_name", kNamed);
}

}  // namespace

MS_REGISTER_OBSERVER(rdp, {"rdp", observe_rdp});
MS_REGISTER_APP_SECURITY(rdp, "rdp", "encrypted");

}  // namespace ms::inv
