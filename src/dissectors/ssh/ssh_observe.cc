// SSH events -> inventory observations: each side's software banner and
// the server's host key.
#include "dissectors/ssh/ssh_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_ssh(const ObserveCtx& c) {
  const ssh::SshEvent* d = c.e.as<ssh::SshEvent>();
  if (!d) return;
  for (int side = 0; side < 2; ++side) {
    const std::optional<ssh::SshSide>& s = d->side[side];
    const std::string& dev = side == 0 ? c.src : c.dst;
    if (!s) continue;
    std::string sw(JsonText(s->software_version));
    if (!s->comments.empty()) sw.append(" ").append(JsonText(s->comments));
    c.add(dev, "ssh_software", sw, "ssh.banner", kDescribed);
    if (s->host_key) c.add(dev, "ssh_host_key", s->host_key->sha256, "ssh.host_key", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(ssh, {.event_type = "ssh", .typed = observe_ssh});
MS_REGISTER_APP_SECURITY(ssh, "ssh", "encrypted");

}  // namespace ms::inv
