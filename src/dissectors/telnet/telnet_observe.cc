// Telnet events -> inventory observations: the server's banner.
#include "dissectors/telnet/telnet_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_telnet(const ObserveCtx& c) {
  const telnet::TelnetEvent* d = c.e.as<telnet::TelnetEvent>();
  if (d) c.add(c.dst, "banner", d->banner ? std::string_view(*d->banner) : std::string_view(), "telnet.banner", kDescribed);
}

}  // namespace

MS_REGISTER_OBSERVER(telnet, {.event_type = "telnet", .typed = observe_telnet});
MS_REGISTER_APP_SECURITY(telnet, "telnet", "cleartext");

}  // namespace ms::inv
