// Feeds a registered dissector, by name, with fuzz input as two interleaved
// streams cut into chunks (so units straddle calls), honouring the
// incomplete/needed contract as the flow engine does. Shared by the
// per-dissector fuzz targets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "dissectors/dissector.h"

namespace fuzzharness {

class Ctx : public ms::AppContext {
 public:
  ms::Envelope envelope() const override {
    ms::Envelope e;
    e.ts = now_;
    e.flow_id = 1;
    e.src_ip = "10.0.0.1";
    e.dest_ip = "10.0.0.2";
    e.proto = "TCP";
    e.has_ports = true;
    e.src_port = 40000;
    e.dest_port = 104;
    return e;
  }
  ms::TimeNs now() const override { return now_; }
  void emit(ms::Event&& ev) override {
    // Every event is one JSON object on one line.
    if (ev.json.empty() || ev.json.front() != '{' || ev.json.back() != '}' ||
        ev.json.find('\n') != std::string::npos) {
      __builtin_trap();
    }
  }
  void anomaly(const char*) override {}
  std::string phi(std::string_view, std::string_view v) const override { return v.empty() ? "" : "phi:fuzz"; }
  bool midstream() const override { return midstream_; }
  ms::TimeNs now_ = 1'700'000'000LL * 1'000'000'000LL;
  bool midstream_ = false;
};

inline const ms::DissectorSpec* spec(std::string_view name) {
  for (const auto& s : ms::DissectorRegistry::all()) {
    if (s.name == name) return &s;
  }
  __builtin_trap();
}

// Byte 0 chooses chunk sizes (and, its top bit, a flow picked up midstream);
// chunks alternate between the two directions.
inline void feed(std::string_view name, const uint8_t* data, size_t size) {
  if (size < 2) return;
  auto dis = spec(name)->make();
  Ctx ctx;
  std::vector<uint8_t> pending[2];
  uint32_t needed[2] = {0, 0};
  bool dead = false;
  uint8_t sizes = data[0];
  ctx.midstream_ = (sizes & 0x80) != 0;  // also: a flow picked up midstream
  size_t pos = 1;
  for (int k = 0; pos < size && !dead; ++k) {
    size_t chunk = 1 + (((sizes >> (k % 8)) & 1) ? 997 : 13) + (k * 7919 % 61);
    chunk = std::min(chunk, size - pos);
    int dir = k % 2;
    pending[dir].insert(pending[dir].end(), data + pos, data + pos + chunk);
    pos += chunk;
    ctx.now_ += 1'000'000;
    if (pending[dir].size() < needed[dir]) continue;
    ms::AppResult r = dis->on_data(static_cast<ms::Direction>(dir), ms::Bytes(pending[dir]), ctx);
    switch (r.kind) {
      case ms::AppResult::kOk:
        pending[dir].clear();
        needed[dir] = 0;
        break;
      case ms::AppResult::kIncomplete:
        if (r.consumed > pending[dir].size()) __builtin_trap();  // never past the input
        pending[dir].erase(pending[dir].begin(), pending[dir].begin() + r.consumed);
        needed[dir] = std::max<uint32_t>(r.needed, static_cast<uint32_t>(pending[dir].size()) + 1);
        if (needed[dir] > (1u << 21)) dead = true;  // the engine refuses units this large
        break;
      case ms::AppResult::kError:
        dead = true;
        break;
    }
    if (k % 17 == 5) dis->on_gap(static_cast<ms::Direction>(dir), 100, ctx);
  }
  dis->on_end(ctx);
}

// UDP dissectors: the input cut into datagrams at each 0xFF 0xFE pair,
// alternating directions; each datagram is one on_data call, as the engine does.
inline void datagrams(std::string_view name, const uint8_t* data, size_t size) {
  auto dis = spec(name)->make();
  Ctx ctx;
  size_t start = 0;
  int dir = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || (i + 1 < size && data[i] == 0xff && data[i + 1] == 0xfe)) {
      ms::AppResult r = dis->on_data(static_cast<ms::Direction>(dir), ms::Bytes(data + start, i - start), ctx);
      if (r.kind == ms::AppResult::kError) break;
      dir ^= 1;
      start = i + 2;
      ++i;
    }
  }
  dis->on_end(ctx);
}

class TrapSink : public ms::EventSink {
 public:
  void emit(ms::Event&& ev) override {
    if (ev.json.empty() || ev.json.front() != '{' || ev.json.back() != '}' || ev.json.find('\n') != std::string::npos) {
      __builtin_trap();
    }
  }
};

// Frame dissectors (LLDP, CDP): the input as the bytes after the ethertype.
inline void frame(uint16_t ethertype, const uint8_t* data, size_t size) {
  static const uint8_t mac[6] = {0, 1, 2, 3, 4, 5};
  TrapSink sink;
  ms::FrameContext fc;
  fc.ts = 1'700'000'000LL * 1'000'000'000LL;
  fc.src_mac = mac;
  fc.sink = &sink;
  for (const auto& f : ms::DissectorRegistry::frames()) {
    if (f.handle(ethertype, ms::Bytes(data, size), fc)) break;
  }
}

}  // namespace fuzzharness
