// Telnet events -> inventory observations: the server's banner.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_telnet(const ObserveCtx& c, const JsonValue& d) {
  c.add(c.dst, "banner", str(&d, "banner"), "telnet.banner", kDescribed);
}

}  // namespace

MS_REGISTER_OBSERVER(telnet, {"telnet", observe_telnet});
MS_REGISTER_APP_SECURITY(telnet, "telnet", "cleartext");

}  // namespace ms::inv
