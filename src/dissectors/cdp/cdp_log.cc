// The `cdp` event's JSON (cdp.schema.json): the only code that knows its keys.
#include "dissectors/cdp/cdp_events.h"
#include "dissectors/text.h"

namespace ms::cdp {

void CdpEvent::write_json(JsonWriter& w) const {
  using text::list;
  using text::opt;
  w.key("cdp").begin_object();
  opt(w, "src_mac", src_mac);
  w.kv("version", static_cast<unsigned>(info.version));
  w.kv("ttl", static_cast<unsigned>(info.ttl));
  opt(w, "device_id", info.device_id);
  opt(w, "port_id", info.port_id);
  opt(w, "platform", info.platform);
  opt(w, "software_version", info.software_version);
  opt(w, "vtp_domain", info.vtp_domain);
  if (info.native_vlan >= 0) w.kv("native_vlan", info.native_vlan);
  list(w, "addresses", info.addresses);
  list(w, "management_addresses", info.management_addresses);
  list(w, "capabilities", info.capabilities);
  w.end_object();
}

}  // namespace ms::cdp
