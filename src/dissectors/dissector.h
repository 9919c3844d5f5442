// The dissector interface (ARCHITECTURE.md "dissectors", STYLE.md 1-5).
//
// A dissector is probed on the first bytes of each direction of a flow; the
// probe looks at content, ports only order the probes. Once a probe matches,
// the dissector owns the flow and receives each direction's ordered bytes
// (TCP, after reassembly) or datagrams (UDP). on_data answers in the
// Suricata manner: ok (all consumed), incomplete (consumed so far, and how
// many more bytes the next unit needs: the stream buffers them, up to a cap),
// or error (the stream stops feeding the dissector; an anomaly is logged).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "events/event.h"

namespace ms {

enum class Direction : uint8_t { kToServer = 0, kToClient = 1 };

enum class ProbeResult : uint8_t { kMatch, kNoMatch, kNeedMore };

struct AppResult {
  enum Kind : uint8_t { kOk, kIncomplete, kError };
  Kind kind = kOk;
  uint32_t consumed = 0;  // kIncomplete: bytes used before the unfinished unit
  uint32_t needed = 0;    // kIncomplete: bytes the unfinished unit needs in all
  const char* error = nullptr;  // kError: an anomaly reason ("dicom.bad_pdu_length")

  static AppResult ok() { return {}; }
  static AppResult incomplete(uint32_t consumed, uint32_t needed) {
    return {kIncomplete, consumed, needed, nullptr};
  }
  static AppResult fail(const char* why) { return {kError, 0, 0, why}; }
};

// What a dissector may do and know while it handles bytes.
class AppContext {
 public:
  virtual ~AppContext() = default;
  // The flow's envelope (5-tuple oriented client -> server, flow id) at the
  // time of the current packet.
  virtual Envelope envelope() const = 0;
  virtual TimeNs now() const = 0;
  // The flow was picked up midstream: its handshake was before the capture,
  // so a direction's first bytes may be the rest of a unit.
  virtual bool midstream() const { return false; }
  virtual void emit(Event&& ev) = 0;
  // Reports a malformed-protocol anomaly on this flow (once per reason).
  virtual void anomaly(const char* reason) = 0;
  // The token to write instead of a patient identifier (common/phi.h):
  // never write a name, ID or birth date any other way.
  virtual std::string phi(std::string_view kind, std::string_view value) const = 0;
};

class Dissector {
 public:
  virtual ~Dissector() = default;
  virtual AppResult on_data(Direction dir, Bytes data, AppContext& ctx) = 0;
  // `len` bytes of this direction were lost (capture loss or a limit).
  virtual void on_gap(Direction dir, uint64_t len, AppContext& ctx) {
    (void)dir;
    (void)len;
    (void)ctx;
  }
  // The flow ends: emit what is still pending.
  virtual void on_end(AppContext& ctx) { (void)ctx; }
};

enum Transport : uint8_t { kTransportTcp = 1, kTransportUdp = 2 };

struct DissectorSpec {
  std::string_view name;  // the flow's app_proto when this dissector owns it
  uint8_t transports = 0;  // Transport bits
  std::vector<uint16_t> hint_ports;  // probed first on these ports
  ProbeResult (*probe)(Direction dir, Bytes data) = nullptr;
  std::unique_ptr<Dissector> (*make)() = nullptr;
  // Bytes per direction to reassemble for this dissector: 0, the engine's
  // default (1 MiB); kUnlimitedDepth for dissectors that stream with bounded
  // memory and must see a whole long connection (a DICOM study, an MLLP link).
  uint64_t stream_depth = 0;
  // A flow picked up midstream (its handshake was before the capture) may
  // start inside a unit. When every probe said no to such a flow, this one
  // (if any) looks for a unit start anywhere in the first
  // FlowConfig::midstream_probe_bytes; on a match the dissector gets the bytes
  // from the first one and must skip to that start itself.
  ProbeResult (*midstream_probe)(Direction dir, Bytes data) = nullptr;
};
constexpr uint64_t kUnlimitedDepth = ~0ULL;

// Link-layer discovery protocols (LLDP, CDP) come in frames that carry no IP:
// the dispatcher offers every such frame to these, in capture order.
struct FrameContext {
  TimeNs ts = 0;
  const uint8_t* src_mac = nullptr;  // may be null (link types without MACs)
  uint16_t vlan[2] = {0, 0};
  uint8_t vlan_count = 0;
  EventSink* sink = nullptr;
};
// The envelope of a frame's events (time and VLANs: no 5-tuple), and an
// anomaly on a malformed frame.
Envelope frame_envelope(const FrameContext& fc);
void frame_anomaly(const FrameContext& fc, const char* reason);

struct FrameDissectorSpec {
  std::string_view name;
  // ethertype (or an 802.3 length, <= 1500) and the bytes after it; true if
  // the frame was this protocol's (then it has been handled).
  bool (*handle)(uint16_t ethertype, Bytes payload, const FrameContext& ctx) = nullptr;
};

// All dissectors linked into the binary. Each registers itself from its own
// folder with MS_REGISTER_DISSECTOR; the dissector objects are linked as an
// OBJECT library so the linker cannot drop the registration.
class DissectorRegistry {
 public:
  static bool add(const DissectorSpec& spec);
  static const std::vector<DissectorSpec>& all();
  static bool add_frame(const FrameDissectorSpec& spec);
  static const std::vector<FrameDissectorSpec>& frames();
};

#define MS_REGISTER_FRAME_DISSECTOR(ident, ...) \
  [[maybe_unused]] static const bool ms_registered_frame_##ident = ::ms::DissectorRegistry::add_frame(__VA_ARGS__)

#define MS_REGISTER_DISSECTOR(ident, ...) \
  [[maybe_unused]] static const bool ms_registered_##ident = ::ms::DissectorRegistry::add(__VA_ARGS__)

}  // namespace ms
