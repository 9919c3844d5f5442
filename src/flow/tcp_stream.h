// Reassembly of one direction of a TCP connection into ordered bytes.
//
// Policy (docs/decisions.md):
// - Bytes are delivered as soon as they are in order (a passive sensor, like
//   Zeek; not delayed until acknowledged).
// - The first copy of a byte wins: retransmitted bytes already delivered are
//   dropped and counted; overlapping out-of-order segments are compared and a
//   difference is reported as "stream.overlap_mismatch".
// - A gap is declared when the peer acknowledges bytes we never saw (capture
//   loss), when out-of-order data exceeds its cap, or when the flow ends with
//   holes; the dissector is told how many bytes are missing.
// - Sequence numbers are unwrapped to 64-bit stream offsets.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "common/bytes.h"

namespace ms {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void stream_data(Bytes data) = 0;
  virtual void stream_gap(uint64_t len) = 0;
  virtual void stream_anomaly(const char* reason) = 0;
};

struct StreamLimits {
  uint64_t depth = 1u << 20;      // bytes delivered per direction, then stop
  uint32_t max_ooo_bytes = 1u << 20;  // buffered out-of-order bytes per direction
};

struct StreamStats {
  uint64_t delivered = 0;
  uint64_t retransmitted = 0;  // bytes dropped because already delivered
  uint64_t ooo_segments = 0;
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  uint64_t overlap_mismatch = 0;
};

class TcpStream {
 public:
  bool initialized() const { return init_; }
  bool active() const { return init_ && !disabled_; }
  // The first byte of data will have sequence number `seq` (ISN + 1 after a
  // SYN, or the first data segment's sequence when picked up midstream).
  void init(uint32_t seq) {
    init_ = true;
    base_ = seq;
    next_ = 0;
  }
  // Stops reassembly (no dissector wants the bytes, or depth reached).
  void disable() {
    disabled_ = true;
    ooo_.clear();
    ooo_bytes_ = 0;
  }
  bool disabled() const { return disabled_; }
  void set_fin(uint32_t seq) {
    fin_ = true;
    fin_off_ = unwrap(seq);
  }

  void segment(uint32_t seq, Bytes payload, const StreamLimits& lim, StreamSink& sink);
  // The other direction acknowledged `ack`: bytes before it were sent.
  void peer_ack(uint32_t ack, const StreamLimits& lim, StreamSink& sink);
  // End of the flow: deliver what is buffered, with gaps for the holes.
  void flush(const StreamLimits& lim, StreamSink& sink);

  const StreamStats& stats() const { return stats_; }
  uint64_t buffered_bytes() const { return ooo_bytes_; }

 private:
  int64_t unwrap(uint32_t seq) const {
    auto delta = static_cast<int32_t>(seq - static_cast<uint32_t>(base_ + next_));
    return static_cast<int64_t>(next_) + delta;
  }
  void deliver(Bytes b, const StreamLimits& lim, StreamSink& sink);
  void drain(const StreamLimits& lim, StreamSink& sink);
  void gap_to(uint64_t off, const StreamLimits& lim, StreamSink& sink);
  void store(uint64_t off, Bytes payload, const StreamLimits& lim, StreamSink& sink);

  bool init_ = false;
  bool disabled_ = false;
  bool fin_ = false;
  uint32_t base_ = 0;
  uint64_t next_ = 0;  // stream offset of the next byte to deliver
  int64_t fin_off_ = 0;
  std::map<uint64_t, std::vector<uint8_t>> ooo_;  // offset -> bytes, disjoint
  uint64_t ooo_bytes_ = 0;
  StreamStats stats_;
};

}  // namespace ms
