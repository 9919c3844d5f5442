// LLDP frames (ethertype 0x88cc): one `lldp` event per frame with what the
// sender says it is: system name and description, port, capabilities,
// management addresses and, from LLDP-MED, manufacturer, model, serial and
// firmware (inventory evidence from the switch side and from endpoints).
#include "dissectors/dissector.h"
#include "dissectors/lldp/lldp.h"
#include "dissectors/text.h"

namespace ms::lldp {

namespace {

bool handle(uint16_t ethertype, Bytes payload, const FrameContext& fc) {
  if (ethertype != 0x88cc) return false;
  Info in;
  Envelope env;
  env.ts = fc.ts;
  env.vlan_count = fc.vlan_count;
  env.vlan[0] = fc.vlan[0];
  env.vlan[1] = fc.vlan[1];
  if (!parse(payload, in)) {
    EventBuilder b(env, "anomaly");
    b.w().key("anomaly").begin_object().kv("type", "applayer").kv("event", "lldp.malformed").end_object();
    fc.sink->emit(b.finish());
    return true;
  }
  EventBuilder b(env, "lldp");
  JsonWriter& w = b.w();
  w.key("lldp").begin_object();
  if (fc.src_mac) w.kv("src_mac", text::mac(Bytes(fc.src_mac, 6)));
  auto opt = [&w](const char* k, const std::string& v) {
    if (!v.empty()) w.kv(k, v);
  };
  auto list = [&w](const char* k, const std::vector<std::string>& v) {
    if (v.empty()) return;
    w.key(k).begin_array();
    for (const auto& s : v) w.value(s);
    w.end_array();
  };
  opt("chassis_id", in.chassis_id);
  opt("port_id", in.port_id);
  w.kv("ttl", static_cast<uint64_t>(in.ttl));
  opt("port_description", in.port_description);
  opt("system_name", in.system_name);
  opt("system_description", in.system_description);
  list("capabilities", in.capabilities);
  list("capabilities_enabled", in.enabled);
  list("management_addresses", in.management_addresses);
  opt("med_device_class", in.med_device_class);
  opt("hardware_rev", in.hardware_rev);
  opt("firmware_rev", in.firmware_rev);
  opt("software_rev", in.software_rev);
  opt("serial", in.serial);
  opt("manufacturer", in.manufacturer);
  opt("model", in.model);
  opt("asset_id", in.asset_id);
  w.end_object();
  fc.sink->emit(b.finish());
  return true;
}

}  // namespace

MS_REGISTER_FRAME_DISSECTOR(lldp, FrameDissectorSpec{"lldp", handle});

}  // namespace ms::lldp
