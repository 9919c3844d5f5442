// TLS events -> inventory observations: certificate subject, SNI, JA3,
// weak parameters and the version a server speaks.
#include "dissectors/tls/tls_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_tls(const ObserveCtx& c) {
  const tls::TlsEvent* d = c.e.as<tls::TlsEvent>();
  if (!d) return;
  if (d->certificate) c.add(c.dst, "tls_subject", d->certificate->subject, "tls.certificate", kSaid);
  c.add(c.dst, "dns_name", d->sni, "tls.sni", kSaid);
  if (d->client) c.add(c.src, "ja3", d->client->ja3_hash, "tls.ja3", kStated);
  for (const std::string& x : d->weak) c.add(c.dst, "tls_weak", x, "tls.weak", kStated);
  c.add(c.dst, "tls_version", d->version, "tls.version", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(tls, {.event_type = "tls", .typed = observe_tls});
MS_REGISTER_APP_SECURITY(tls, "tls", "encrypted");

}  // namespace ms::inv
