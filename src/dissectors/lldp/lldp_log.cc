// The `lldp` event's JSON (lldp.schema.json): the only code that knows its keys.
#include "dissectors/lldp/lldp_events.h"
#include "dissectors/text.h"

namespace ms::lldp {

void LldpEvent::write_json(JsonWriter& w) const {
  using text::list;
  using text::opt;
  w.key("lldp").begin_object();
  opt(w, "src_mac", src_mac);
  opt(w, "chassis_id", info.chassis_id);
  opt(w, "port_id", info.port_id);
  w.kv("ttl", static_cast<uint64_t>(info.ttl));
  opt(w, "port_description", info.port_description);
  opt(w, "system_name", info.system_name);
  opt(w, "system_description", info.system_description);
  list(w, "capabilities", info.capabilities);
  list(w, "capabilities_enabled", info.enabled);
  list(w, "management_addresses", info.management_addresses);
  opt(w, "med_device_class", info.med_device_class);
  opt(w, "hardware_rev", info.hardware_rev);
  opt(w, "firmware_rev", info.firmware_rev);
  opt(w, "software_rev", info.software_rev);
  opt(w, "serial", info.serial);
  opt(w, "manufacturer", info.manufacturer);
  opt(w, "model", info.model);
  opt(w, "asset_id", info.asset_id);
  w.end_object();
}

}  // namespace ms::lldp
