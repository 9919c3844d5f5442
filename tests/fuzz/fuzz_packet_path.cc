// Fuzz target for the packet path: decode -> IP defragmentation -> flows ->
// TCP reassembly -> dissector feeding, with small limits so that eviction,
// caps and gap paths are reached.
//
// Input: a pcap/pcapng file (seeds are the corpus captures), or otherwise a
// compact form that mutates well: byte 0 picks the link type, then records
// of [len: 2 bytes LE][time step: 1 byte][len bytes of frame].
//
// fuzz-replay: ../shared/corpus/nDPI/pcap/ftp.pcap ../shared/corpus/nDPI-2025/pcap/dicom.pcap
// fuzz-replay: ../shared/corpus/nDPI-2025/pcap/hl7.pcap
// fuzz-replay: ../shared/corpus/suricata-verify/tests/ipv6-evasion/ipv6-malformed-fragments-9/frag-9.pcap
// fuzz-replay: ../shared/corpus/nDPI/pcap/dhcp-fuzz.pcapng ../shared/corpus/nDPI/pcap/vnc.pcap
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "app/dispatcher.h"
#include "capture_input.h"
#include "dissectors/dissector.h"
#include "flow/flow_engine.h"

namespace {

// A dissector that accepts many flows and answers from the data itself, so
// the fuzzer drives ok / incomplete (any size) / error through the stream.
class FuzzDissector : public ms::Dissector {
 public:
  ms::AppResult on_data(ms::Direction, ms::Bytes d, ms::AppContext& ctx) override {
    size_t pos = 0;
    while (pos + 2 <= d.size()) {
      uint32_t unit = static_cast<uint32_t>(d[pos]) << 8 | d[pos + 1];
      if (unit == 0xFFFF) return ms::AppResult::fail("fuzz.bad_unit");
      if (unit == 0) unit = 1;
      if (d.size() - pos < unit + 2u) return ms::AppResult::incomplete(static_cast<uint32_t>(pos), unit + 2);
      if (d[pos + 2] == 0xEE) {
        ms::EventBuilder b(ctx.envelope(), "fuzz");
        ctx.emit(b.finish());
      }
      pos += unit + 2;
    }
    return pos == d.size() ? ms::AppResult::ok() : ms::AppResult::incomplete(static_cast<uint32_t>(pos), 2);
  }
};

ms::ProbeResult fuzz_probe(ms::Direction, ms::Bytes d) {
  if (d.empty()) return ms::ProbeResult::kNeedMore;
  if (d[0] % 3 == 0) return ms::ProbeResult::kMatch;
  return d.size() < 4 ? ms::ProbeResult::kNeedMore : ms::ProbeResult::kNoMatch;
}

MS_REGISTER_DISSECTOR(fuzz, ms::DissectorSpec{"fuzz", ms::kTransportTcp | ms::kTransportUdp, {104},
                                              fuzz_probe, [] { return std::unique_ptr<ms::Dissector>(new FuzzDissector); }});

class CountingSink : public ms::EventSink {
 public:
  void emit(ms::Event&& ev) override {
    // Every event must be one JSON object on one line.
    if (ev.json.empty() || ev.json.front() != '{' || ev.json.back() != '}' ||
        ev.json.find('\n') != std::string::npos) {
      __builtin_trap();
    }
    ++n;
  }
  uint64_t n = 0;
};

class Consumer : public ms::PacketConsumer {
 public:
  Consumer(const ms::FlowConfig& cfg, ms::EventSink& sink) : engine(cfg, sink) {}
  void consume(const ms::Packet& p, ms::TimeNs clock) override {
    engine.process(p);
    if (++count % 16 == 0) engine.advance(clock);
  }
  void finish(ms::TimeNs end) override { engine.finish(end); }
  ms::FlowEngine engine;
  uint64_t count = 0;
};


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::FlowConfig cfg;
  cfg.max_flows = 32;
  cfg.stream.depth = 8192;
  cfg.stream.max_ooo_bytes = 4096;
  cfg.max_app_buffer = 2048;
  cfg.timeout[ms::kClassUdp] = 5 * ms::kNsPerSec;
  cfg.active_timeout = 20 * ms::kNsPerSec;
  ms::DefragLimits dl;
  dl.max_datagrams = 8;
  dl.max_bytes = 256 * 1024;
  dl.max_fragments = 16;
  CountingSink sink;
  Consumer consumer(cfg, sink);
  ms::Dispatcher disp({&consumer}, sink, 4, dl);

  feed_capture(data, size, disp);
  disp.finish();
  return 0;
}
