// LLDP frames (ethertype 0x88cc): one `lldp` event per frame with what the
// sender says it is: system name and description, port, capabilities,
// management addresses and, from LLDP-MED, manufacturer, model, serial and
// firmware (inventory evidence from the switch side and from endpoints).
#include "dissectors/dissector.h"
#include "dissectors/lldp/lldp_events.h"
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
  auto ev = std::make_unique<LldpEvent>();
  if (fc.src_mac) ev->src_mac = text::mac(Bytes(fc.src_mac, 6));
  ev->info = std::move(in);
  fc.sink->emit(make_event(env, "lldp", std::move(ev)));
  return true;
}

}  // namespace

MS_REGISTER_FRAME_DISSECTOR(lldp, FrameDissectorSpec{"lldp", handle});

}  // namespace ms::lldp
