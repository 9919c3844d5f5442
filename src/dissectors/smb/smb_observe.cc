// SMB events -> inventory observations: NTLMSSP versions and host names,
// the server's native OS, SMB1 in use.
#include "dissectors/smb/smb_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_smb(const ObserveCtx& c) {
  const smb::SmbEvent* d = c.e.as<smb::SmbEvent>();
  if (!d) return;
  if (const auto& n = d->ntlmssp) {
    c.add(c.src, "ntlm_version", n->version, "smb.ntlmssp", kStated);
    c.add(c.dst, "ntlm_version", n->server_version, "smb.ntlmssp", kStated);
    c.add(c.src, "hostname", n->host, "smb.ntlmssp.workstation", kNamed);
    c.add(c.dst, "hostname", n->server_nb_computer, "smb.ntlmssp.server", kNamed);
    c.add(c.dst, "dns_name", n->server_dns_computer, "smb.ntlmssp.server", kNamed);
  }
  c.add(c.dst, "smb_os", d->server_os, "smb.native_os", kDescribed);
  if (d->version == 1) c.add(c.dst, "smb_dialect", "SMB1", "smb", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(smb, {.event_type = "smb", .typed = observe_smb});
MS_REGISTER_APP_SECURITY(smb, "smb", "cleartext");

}  // namespace ms::inv
