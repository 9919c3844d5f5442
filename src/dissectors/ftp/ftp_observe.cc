// FTP events -> inventory observations: the server's banner and its passive
// data ports.
#include "dissectors/ftp/ftp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

// The banner, and FTP passive data ports: the server's, but not services it
// offers.
void observe_ftp(const ObserveCtx& c) {
  const ftp::FtpEvent* d = c.e.as<ftp::FtpEvent>();
  if (!d) return;
  c.add(c.dst, "banner", d->banner, "ftp.banner", kDescribed);
  if (const auto& dc = d->data_channel) {
    std::string host = dc->host ? ip_key(*dc->host) : std::string();
    if (host.empty()) host = c.dst;  // EPSV gives only a port, on the server
    c.add(host, "ftp_data_port", std::to_string(dc->port), "ftp", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(ftp, {.event_type = "ftp", .typed = observe_ftp});
MS_REGISTER_APP_SECURITY(ftp, "ftp", "cleartext");

}  // namespace ms::inv
