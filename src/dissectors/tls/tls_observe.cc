// TLS events -> inventory observations: certificate subject, SNI, JA3,
// weak parameters and the version a server speaks.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_tls(const ObserveCtx& c, const JsonValue& d) {
  if (const JsonValue* cert = d.get("certificate")) c.add(c.dst, "tls_subject", str(cert, "subject"), "tls.certificate", kSaid);
  c.add(c.dst, "dns_name", str(&d, "sni"), "tls.sni", kSaid);
  if (const JsonValue* cl = d.get("client")) {
    if (const JsonValue* ja3 = cl->get("ja3")) c.add(c.src, "ja3", str(ja3, "hash"), "tls.ja3", kStated);
  }
  if (const JsonValue* w = d.get("weak")) {
    for (const JsonValue& x : w->items) c.add(c.dst, "tls_weak", x.str(), "tls.weak", kStated);
  }
  c.add(c.dst, "tls_version", str(&d, "version"), "tls.version", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(tls, {"tls", observe_tls});
MS_REGISTER_APP_SECURITY(tls, "tls", "encrypted");

}  // namespace ms::inv
