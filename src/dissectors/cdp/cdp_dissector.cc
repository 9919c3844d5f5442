// CDP frames (802.3 + LLC/SNAP 00-00-0c/0x2000): one `cdp` event per frame
// with the device id, platform, software version, port and addresses.
#include <cstring>

#include "dissectors/cdp/cdp_events.h"
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
  auto ev = std::make_unique<CdpEvent>();
  if (fc.src_mac) ev->src_mac = text::mac(Bytes(fc.src_mac, 6));
  ev->info = std::move(in);
  fc.sink->emit(make_event(env, "cdp", std::move(ev)));
  return true;
}

}  // namespace

MS_REGISTER_FRAME_DISSECTOR(cdp, FrameDissectorSpec{"cdp", handle});

}  // namespace ms::cdp
