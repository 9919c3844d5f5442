// Credential events (every dissector's logins) -> inventory observations:
// cleartext logins and default credentials that worked, on the server.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_credential(const ObserveCtx& c, const JsonValue& d) {
  std::string_view p = str(&d, "protocol");
  std::string_view method = str(&d, "method");
  bool clear = p == "ftp" || p == "telnet" || p == "snmp" || (p == "http" && method != "ntlm") || p == "dicom";
  if (clear) c.add(c.dst, "cleartext_login", p, "credential", kStated);
  if (truthy(&d, "default_credential") && str(&d, "result") != "failure") {
    c.add(c.dst, "default_credential", p, "credential", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(credential, {"credential", observe_credential});

}  // namespace ms::inv
