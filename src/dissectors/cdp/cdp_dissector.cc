// CDP frames (802.3 + LLC/SNAP 00-00-0c/0x2000): one `cdp` event per frame
// with the device id, platform, software version, port and addresses.
#include <cstring>

#include "dissectors/cdp/cdp.h"
#include "dissectors/dissector.h"
#include "dissectors/text.h"

namespace ms::cdp {

namespace {

bool handle(uint16_t ethertype, Bytes payload, const FrameContext& fc) {
  static const uint8_t snap[8] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00};
  if (ethertype > 1500 || payload.size() < 8 || std::memcmp(payload.data(), snap, 8) != 0) return false;
  Envelope env = frame_envelope(fc);
  Info in;
  // The 802.3 length bounds the LLC payload (the frame may carry padding).
  Bytes body = payload.subspan(8, std::min<size_t>(payload.size(), ethertype) - std::min<size_t>(8, ethertype));
  if (!parse(body, in)) {
    frame_anomaly(fc, "cdp.malformed");
    return true;
  }
  EventBuilder b(env, "cdp");
  JsonWriter& w = b.w();
  w.key("cdp").begin_object();
  if (fc.src_mac) w.kv("src_mac", text::mac(Bytes(fc.src_mac, 6)));
  w.kv("version", static_cast<unsigned>(in.version));
  w.kv("ttl", static_cast<unsigned>(in.ttl));
  using text::list;
  using text::opt;
  opt(w, "device_id", in.device_id);
  opt(w, "port_id", in.port_id);
  opt(w, "platform", in.platform);
  opt(w, "software_version", in.software_version);
  opt(w, "vtp_domain", in.vtp_domain);
  if (in.native_vlan >= 0) w.kv("native_vlan", in.native_vlan);
  list(w, "addresses", in.addresses);
  list(w, "management_addresses", in.management_addresses);
  list(w, "capabilities", in.capabilities);
  w.end_object();
  fc.sink->emit(b.finish());
  return true;
}

}  // namespace

MS_REGISTER_FRAME_DISSECTOR(cdp, FrameDissectorSpec{"cdp", handle});

}  // namespace ms::cdp
