// FTP events -> inventory observations: the server's banner and its passive
// data ports.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

// The banner, and FTP passive data ports: the server's, but not services it
// offers.
void observe_ftp(const ObserveCtx& c, const JsonValue& d) {
  c.add(c.dst, "banner", str(&d, "banner"), "ftp.banner", kDescribed);
  if (const JsonValue* dc = d.get("data_channel")) {
    const JsonValue* port = dc->get("port");
    std::string host = ip_key(str(dc, "host"));
    if (host.empty()) host = c.dst;  // EPSV gives only a port, on the server
    if (port && port->type == JsonValue::kNumber) c.add(host, "ftp_data_port", port->text, "ftp", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(ftp, {"ftp", observe_ftp});
MS_REGISTER_APP_SECURITY(ftp, "ftp", "cleartext");

}  // namespace ms::inv
