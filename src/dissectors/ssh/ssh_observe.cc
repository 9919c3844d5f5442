// SSH events -> inventory observations: each side's software banner and
// the server's host key.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_ssh(const ObserveCtx& c, const JsonValue& d) {
  for (int side = 0; side < 2; ++side) {
    const JsonValue* s = d.get(side == 0 ? "client" : "server");
    const std::string& dev = side == 0 ? c.src : c.dst;
    if (!s) continue;
    std::string sw(str(s, "software_version"));
    std::string_view com = str(s, "comments");
    if (!com.empty()) sw += " " + std::string(com);
    c.add(dev, "ssh_software", sw, "ssh.banner", kDescribed);
    if (const JsonValue* hk = s->get("host_key")) c.add(dev, "ssh_host_key", str(hk, "sha256"), "ssh.host_key", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(ssh, {"ssh", observe_ssh});
MS_REGISTER_APP_SECURITY(ssh, "ssh", "encrypted");

}  // namespace ms::inv
