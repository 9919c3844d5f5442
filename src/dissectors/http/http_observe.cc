// HTTP events -> inventory observations: server software, page titles,
// login realms, client user agents.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_http(const ObserveCtx& c, const JsonValue& d) {
  c.add(c.dst, "http_server", str(&d, "server"), "http.server", kDescribed);
  c.add(c.dst, "http_title", str(&d, "title"), "http.title", kDescribed);
  // The realm of a login prompt names the product as often as a title does.
  c.add(c.dst, "http_title", str(&d, "www_authenticate_realm"), "http.realm", kDescribed);
  c.add(c.src, "user_agent", str(&d, "http_user_agent"), "http.user_agent", kDescribed);
}

}  // namespace

MS_REGISTER_OBSERVER(http, {"http", observe_http});
MS_REGISTER_APP_SECURITY(http, "http", "cleartext");

}  // namespace ms::inv
