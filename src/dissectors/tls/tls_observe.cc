// TLS events -> inventory observations: certificate subject, SNI, JA3,
// weak parameters and the version a server speaks.
#include "dissectors/tls/tls_events.h"
#include "inventory/cloud_observe.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

// The common name of an RFC 2253 subject ("O=Maker,CN=api.maker.com"), or "".
std::string_view common_name(std::string_view subject) {
  for (size_t at = subject.find("CN="); at != std::string_view::npos; at = subject.find("CN=", at + 1)) {
    if (at != 0 && subject[at - 1] != ',') continue;
    std::string_view v = subject.substr(at + 3);
    return v.substr(0, v.find(','));
  }
  return {};
}

void observe_tls(const ObserveCtx& c) {
  const tls::TlsEvent* d = c.e.as<tls::TlsEvent>();
  if (!d) return;
  if (d->certificate) c.add(c.dst, "tls_subject", d->certificate->subject, "tls.certificate", kSaid);
  c.add(c.dst, "dns_name", d->sni, "tls.sni", kSaid);
  // The cloud the client calls (issue 16): its SNI, and the names of the
  // certificate it accepted (TLS 1.2 and older show it).
  add_called_name(c, c.src, d->sni, "tls.sni");
  if (d->certificate) {
    add_called_name(c, c.src, common_name(d->certificate->subject), "tls.certificate");
    for (const std::string& n : d->certificate->san_dns) add_called_name(c, c.src, n, "tls.certificate");
  }
  if (d->client) c.add(c.src, "ja3", d->client->ja3_hash, "tls.ja3", kStated);
  for (const std::string& x : d->weak) c.add(c.dst, "tls_weak", x, "tls.weak", kStated);
  c.add(c.dst, "tls_version", d->version, "tls.version", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(tls, {.event_type = "tls", .typed = observe_tls});
MS_REGISTER_APP_SECURITY(tls, "tls", "encrypted");

}  // namespace ms::inv
