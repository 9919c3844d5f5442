// Fuzz input as packets for the dispatcher: a pcap/pcapng file (seeds are
// the corpus captures), or otherwise a compact form that mutates well: byte
// 0 picks the link type, then records of [len: 2 bytes LE][time step: 1
// byte][len bytes of frame]. Shared by the packet-path, inventory and
// detection targets.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include <array>
#include <vector>

#include "app/dispatcher.h"
#include "common/phi.h"
#include "flow/flow_engine.h"

namespace {

inline const int kLinkTypes[] = {ms::kLinkEthernet, ms::kLinkRaw, ms::kLinkNull, ms::kLinkLoop,
                          ms::kLinkSll, ms::kLinkSll2, ms::kLinkIpv4, ms::kLinkIpv6};

inline bool is_capture(const uint8_t* data, size_t size) {
  static const uint8_t kPcapMagics[][4] = {
      {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, {0x4d, 0x3c, 0xb2, 0xa1},
      {0xa1, 0xb2, 0x3c, 0x4d}, {0x0a, 0x0d, 0x0d, 0x0a}};
  bool is_pcap = false;
  for (const auto& m : kPcapMagics) is_pcap |= size >= 4 && std::memcmp(data, m, 4) == 0;
  return is_pcap;
}

inline void feed_capture(const uint8_t* data, size_t size, ms::Dispatcher& disp) {
  if (is_capture(data, size)) {
    FILE* f = fmemopen(const_cast<uint8_t*>(data), size, "rb");
    if (!f) return;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
      fclose(f);
      return;
    }
    int lt = pcap_datalink(p);
    if (ms::link_type_supported(lt)) {
      pcap_pkthdr* h;
      const u_char* d;
      while (pcap_next_ex(p, &h, &d) == 1) {
        ms::RawPacket r;
        if (__builtin_mul_overflow(static_cast<ms::TimeNs>(h->ts.tv_sec), ms::kNsPerSec, &r.ts) ||
            __builtin_add_overflow(r.ts, static_cast<ms::TimeNs>(h->ts.tv_usec), &r.ts)) {
          r.ts = h->ts.tv_sec < 0 ? INT64_MIN : INT64_MAX;  // as the capture reader does
        }
        r.data = d;
        r.caplen = h->caplen;
        r.wirelen = h->len < h->caplen ? h->caplen : h->len;
        r.linktype = lt;
        disp.handle(r);
      }
    }
    pcap_close(p);
  } else if (size > 0) {
    int lt = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    size_t pos = 1;
    ms::TimeNs ts = 1'700'000'000LL * ms::kNsPerSec;
    while (pos + 3 <= size) {
      size_t len = data[pos] | static_cast<size_t>(data[pos + 1]) << 8;
      ts += static_cast<ms::TimeNs>(data[pos + 2]) * 100'000'000LL;  // up to 25.5 s a step
      pos += 3;
      if (len > size - pos) len = size - pos;
      ms::RawPacket r;
      r.ts = ts;
      r.data = data + pos;
      r.caplen = r.wirelen = static_cast<uint32_t>(len);
      r.linktype = lt;
      disp.handle(r);
      pos += len;
    }
  }
}

// The events the real dissectors make of a capture input (typed events
// included), for the targets that fuzz what reads events.
inline std::vector<ms::Event> capture_events(const uint8_t* data, size_t size) {
  static ms::PhiTokenizer phi(std::array<uint8_t, ms::PhiTokenizer::kKeyLen>{7}, false);
  struct Consumer : ms::PacketConsumer {
    Consumer(const ms::FlowConfig& cfg, ms::EventSink& sink) : engine(cfg, sink) {}
    void consume(const ms::Packet& p, ms::TimeNs clock) override {
      engine.process(p);
      if (++count % 16 == 0) engine.advance(clock);
    }
    void finish(ms::TimeNs end) override { engine.finish(end); }
    ms::FlowEngine engine;
    uint64_t count = 0;
  };
  ms::FlowConfig cfg;
  cfg.max_flows = 64;
  cfg.phi = &phi;
  ms::VectorSink sink;
  Consumer consumer(cfg, sink);
  ms::Dispatcher disp({&consumer}, sink, 4);
  feed_capture(data, size, disp);
  disp.finish();
  return std::move(sink.events);
}

}  // namespace
