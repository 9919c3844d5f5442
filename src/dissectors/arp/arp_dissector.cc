// ARP frames (ethertype 0x0806): an `arp` event for each distinct claim, the
// MAC-to-IPv4 bindings of devices that may say nothing else (inventory).
// A claim repeated within kRepeatWindow is not written again: a busy segment
// ARPs for the same addresses every few seconds, and only the binding and its
// time range matter. The repeat table lives in the reader thread (frame
// dissectors run there), bounded; when full it starts over, which at worst
// writes a claim once more.
#include <unordered_map>

#include "dissectors/arp/arp_events.h"
#include "dissectors/dissector.h"
#include "dissectors/text.h"

namespace ms::arp {

namespace {

constexpr TimeNs kRepeatWindow = 60 * kNsPerSec;
constexpr size_t kMaxRemembered = 65536;

bool handle(uint16_t ethertype, Bytes payload, const FrameContext& fc) {
  if (ethertype != 0x0806) return false;
  Info in;
  if (!parse(payload, in)) {
    frame_anomaly(fc, "arp.malformed");
    return true;
  }
  // The claim: operation and both address pairs, as the wire has them.
  thread_local std::unordered_map<std::string, TimeNs> seen;
  std::string key(text::view(payload.subspan(6, 22)));
  auto it = seen.find(key);
  if (it != seen.end() && fc.ts >= it->second && fc.ts - it->second < kRepeatWindow) return true;
  if (seen.size() >= kMaxRemembered) seen.clear();
  seen[key] = fc.ts;

  auto ev = std::make_unique<ArpEvent>();
  if (fc.src_mac) {
    std::string src = text::mac(Bytes(fc.src_mac, 6));
    // A sender hardware address that is not the frame's source is proxy
    // ARP, or spoofing: keep both visible.
    if (src != in.sender_mac) ev->src_mac = std::move(src);
  }
  ev->claim = std::move(in);
  fc.sink->emit(make_event(frame_envelope(fc), "arp", std::move(ev)));
  return true;
}

}  // namespace

MS_REGISTER_FRAME_DISSECTOR(arp, FrameDissectorSpec{"arp", handle});

}  // namespace ms::arp
