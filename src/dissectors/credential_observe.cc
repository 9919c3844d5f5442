// Credential events (every dissector's logins) -> inventory observations:
// cleartext logins and default credentials that worked, on the server.
#include "dissectors/credential.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_credential(const ObserveCtx& c) {
  const CredentialEvent* d = c.e.as<CredentialEvent>();
  if (!d) return;
  std::string_view p = d->protocol;
  std::string_view method = d->method;
  bool clear = p == "ftp" || p == "telnet" || p == "snmp" || (p == "http" && method != "ntlm") || p == "dicom";
  if (clear) c.add(c.dst, "cleartext_login", p, "credential", kStated);
  if (d->default_credential && d->result != "failure") {
    c.add(c.dst, "default_credential", p, "credential", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(credential, {.event_type = "credential", .typed = observe_credential});

}  // namespace ms::inv
