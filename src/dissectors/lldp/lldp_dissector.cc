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
  Envelope env = frame_envelope(fc);
  if (!parse(payload, in)) {
    frame_anomaly(fc, "lldp.malformed");
    return true;
  }
  EventBuilder b(env, "lldp");
  JsonWriter& w = b.w();
  w.key("lldp").begin_object();
  if (fc.src_mac) w.kv("src_mac", text::mac(Bytes(fc.src_mac, 6)));
  using text::list;
  using text::opt;
  opt(w, "chassis_id", in.chassis_id);
  opt(w, "port_id", in.port_id);
  w.kv("ttl", static_cast<uint64_t>(in.ttl));
  opt(w, "port_description", in.port_description);
  opt(w, "system_name", in.system_name);
  opt(w, "system_description", in.system_description);
  list(w, "capabilities", in.capabilities);
  list(w, "capabilities_enabled", in.enabled);
  list(w, "management_addresses", in.management_addresses);
  opt(w, "med_device_class", in.med_device_class);
  opt(w, "hardware_rev", in.hardware_rev);
  opt(w, "firmware_rev", in.firmware_rev);
  opt(w, "software_rev", in.software_rev);
  opt(w, "serial", in.serial);
  opt(w, "manufacturer", in.manufacturer);
  opt(w, "model", in.model);
  opt(w, "asset_id", in.asset_id);
  w.end_object();
  fc.sink->emit(b.finish());
  return true;
}

}  // namespace

MS_REGISTER_FRAME_DISSECTOR(lldp, FrameDissectorSpec{"lldp", handle});

}  // namespace ms::lldp
