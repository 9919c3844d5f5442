// SMB events -> inventory observations: NTLMSSP versions and host names,
// the server's native OS, SMB1 in use.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_smb(const ObserveCtx& c, const JsonValue& d) {
  if (const JsonValue* n = d.get("ntlmssp")) {
    c.add(c.src, "ntlm_version", str(n, "version"), "smb.ntlmssp", kStated);
    c.add(c.dst, "ntlm_version", str(n, "server_version"), "smb.ntlmssp", kStated);
    c.add(c.src, "hostname", str(n, "host"), "smb.ntlmssp.workstation", kNamed);
    c.add(c.dst, "hostname", str(n, "server_nb_computer"), "smb.ntlmssp.server", kNamed);
    c.add(c.dst, "dns_name", str(n, "server_dns_computer"), "smb.ntlmssp.server", kNamed);
  }
  c.add(c.dst, "smb_os", str(&d, "server_os"), "smb.native_os", kDescribed);
  const JsonValue* v = d.get("version");
  if (v && v->type == JsonValue::kNumber && v->text == "1") c.add(c.dst, "smb_dialect", "SMB1", "smb", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(smb, {"smb", observe_smb});
MS_REGISTER_APP_SECURITY(smb, "smb", "cleartext");

}  // namespace ms::inv
