// HTTP events -> inventory observations: server software, page titles,
// login realms, client user agents.
#include "dissectors/http/http_events.h"
#include "inventory/cloud_observe.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

std::string_view or_empty(const std::optional<std::string>& s) { return s ? std::string_view(*s) : std::string_view(); }

void observe_http(const ObserveCtx& c) {
  const http::HttpEvent* d = c.e.as<http::HttpEvent>();
  if (!d) return;
  c.add(c.dst, "http_server", d->server, "http.server", kDescribed);
  c.add(c.dst, "http_title", or_empty(d->title), "http.title", kDescribed);
  // The realm of a login prompt names the product as often as a title does.
  c.add(c.dst, "http_title", or_empty(d->www_authenticate_realm), "http.realm", kDescribed);
  c.add(c.src, "user_agent", d->http_user_agent, "http.user_agent", kDescribed);
  // The host the client calls (issue 16), without a port (RFC 9110 §7.2).
  std::string_view host = d->hostname;
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  add_called_name(c, c.src, host, "http.host");
}

}  // namespace

MS_REGISTER_OBSERVER(http, {.event_type = "http", .typed = observe_http});
MS_REGISTER_APP_SECURITY(http, "http", "cleartext");

}  // namespace ms::inv
