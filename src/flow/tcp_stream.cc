// TCP reassembly per direction; see tcp_stream.h for the policy.
#include "flow/tcp_stream.h"

#include <algorithm>
#include <cstring>

namespace ms {

namespace {
// An acknowledgement further ahead than this is not believed (a forged ACK
// must not make us skip a large amount of real data).
constexpr uint64_t kMaxAckJump = 64u << 20;
}  // namespace

void TcpStream::deliver(Bytes b, const StreamLimits& lim, StreamSink& sink) {
  if (b.empty() || disabled_) return;
  uint64_t room = lim.depth > stats_.delivered ? lim.depth - stats_.delivered : 0;
  if (b.size() > room) b = b.first(room);
  if (!b.empty()) {
    stats_.delivered += b.size();
    sink.stream_data(b);
  }
  if (stats_.delivered >= lim.depth) disable();
}

void TcpStream::gap_to(uint64_t off, const StreamLimits& lim, StreamSink& sink) {
  if (off <= next_) return;
  uint64_t len = off - next_;
  ++stats_.gaps;
  stats_.gap_bytes += len;
  next_ = off;
  if (!disabled_) sink.stream_gap(len);
  drain(lim, sink);
}

void TcpStream::drain(const StreamLimits& lim, StreamSink& sink) {
  while (!ooo_.empty()) {
    auto it = ooo_.begin();
    uint64_t off = it->first;
    if (off > next_) break;
    std::vector<uint8_t> data = std::move(it->second);
    ooo_bytes_ -= data.size();
    ooo_.erase(it);
    uint64_t end = off + data.size();
    if (end <= next_) continue;
    size_t skip = static_cast<size_t>(next_ - off);
    next_ = end;
    deliver(Bytes(data).subspan(skip), lim, sink);
  }
}

void TcpStream::store(uint64_t off, Bytes payload, const StreamLimits& lim, StreamSink& sink) {
  ++stats_.ooo_segments;
  if (ooo_bytes_ + payload.size() > lim.max_ooo_bytes) {
    // Too much is missing before these bytes: give up waiting for it.
    if (!ooo_.empty()) gap_to(ooo_.begin()->first, lim, sink);
    if (off <= next_) {
      segment(static_cast<uint32_t>(base_ + off), payload, lim, sink);
      return;
    }
    if (ooo_bytes_ + payload.size() > lim.max_ooo_bytes) {
      gap_to(off, lim, sink);
      segment(static_cast<uint32_t>(base_ + off), payload, lim, sink);
      return;
    }
  }
  // Insert only the parts not already buffered (first copy wins); compare
  // the parts that are.
  uint64_t end = off + payload.size();
  uint64_t pos = off;
  auto it = ooo_.upper_bound(off);
  if (it != ooo_.begin()) --it;
  bool mismatch = false;
  while (pos < end) {
    if (it == ooo_.end() || it->first >= end) {
      std::vector<uint8_t> piece(payload.begin() + (pos - off), payload.end());
      ooo_bytes_ += piece.size();
      ooo_.emplace(pos, std::move(piece));
      break;
    }
    uint64_t sb = it->first, se = sb + it->second.size();
    if (se <= pos) {
      ++it;
      continue;
    }
    if (sb > pos) {
      std::vector<uint8_t> piece(payload.begin() + (pos - off), payload.begin() + (sb - off));
      ooo_bytes_ += piece.size();
      ooo_.emplace(pos, std::move(piece));
    }
    uint64_t ob = std::max(sb, pos), oe = std::min(se, end);
    if (std::memcmp(it->second.data() + (ob - sb), payload.data() + (ob - off), oe - ob) != 0) {
      mismatch = true;
    }
    pos = oe;
    ++it;
  }
  if (mismatch) {
    ++stats_.overlap_mismatch;
    sink.stream_anomaly("stream.overlap_mismatch");
  }
}

void TcpStream::segment(uint32_t seq, Bytes payload, const StreamLimits& lim, StreamSink& sink) {
  if (!init_ || disabled_ || payload.empty()) return;
  int64_t off = unwrap(seq);
  int64_t end = off + static_cast<int64_t>(payload.size());
  if (end <= static_cast<int64_t>(next_)) {
    stats_.retransmitted += payload.size();
    return;
  }
  if (off < static_cast<int64_t>(next_)) {
    size_t skip = static_cast<size_t>(static_cast<int64_t>(next_) - off);
    stats_.retransmitted += skip;
    payload = payload.subspan(skip);
    off = static_cast<int64_t>(next_);
  }
  auto uoff = static_cast<uint64_t>(off);
  if (uoff == next_) {
    next_ += payload.size();
    deliver(payload, lim, sink);
    drain(lim, sink);
    return;
  }
  store(uoff, payload, lim, sink);
}

void TcpStream::peer_ack(uint32_t ack, const StreamLimits& lim, StreamSink& sink) {
  if (!init_ || disabled_) return;
  int64_t off = unwrap(ack);
  if (fin_ && off > fin_off_) off = fin_off_;  // the FIN takes one sequence number
  if (off <= static_cast<int64_t>(next_)) return;
  auto target = static_cast<uint64_t>(off);
  if (target - next_ > kMaxAckJump) return;
  // Holes end where buffered data begins: skip each hole, deliver what
  // follows it, until everything acknowledged has been accounted for.
  while (next_ < target && !disabled_) {
    uint64_t hole_end = target;
    if (!ooo_.empty() && ooo_.begin()->first < hole_end) hole_end = ooo_.begin()->first;
    if (hole_end <= next_) {
      drain(lim, sink);
      if (ooo_.empty() || ooo_.begin()->first > next_) continue;
      break;
    }
    gap_to(hole_end, lim, sink);
  }
}

void TcpStream::flush(const StreamLimits& lim, StreamSink& sink) {
  if (!init_ || disabled_) return;
  while (!ooo_.empty()) gap_to(ooo_.begin()->first, lim, sink);
}

}  // namespace ms
