// IPv4 and IPv6 fragment reassembly with limits.
//
// Policy (docs/decisions.md): the first copy of a byte wins, as in BSD-derived
// stacks; any overlap is reported ("ip.fragment_overlap"), and an overlap
// whose bytes differ is reported as "ip.fragment_overlap_mismatch", the mark
// of an evasion attempt. Datagrams larger than 65,535 bytes, more than
// max_fragments pieces, or older than the timeout are dropped and reported.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "decode/decoder.h"
#include "decode/packet.h"

namespace ms {

struct DefragLimits {
  size_t max_bytes = 64u << 20;       // buffered fragment bytes, all datagrams
  size_t max_datagrams = 16384;       // datagrams being reassembled at once
  uint32_t max_fragments = 256;       // pieces in one datagram
  TimeNs timeout = 60 * kNsPerSec;    // from the first fragment
};

struct DefragStats {
  uint64_t fragments = 0;
  uint64_t reassembled = 0;
  uint64_t timeouts = 0;
  uint64_t evicted = 0;
  uint64_t dropped = 0;  // datagrams abandoned for a limit or a bad fragment
};

class Defragmenter {
 public:
  explicit Defragmenter(DefragLimits lim = {}) : lim_(lim) {}

  // Adds fragment `p` (p.is_fragment). When it completes a datagram, writes
  // a synthetic raw IP datagram (fixed header + payload) to `out`, sets
  // frames/frame_bytes to the sum over all its fragments and returns true.
  bool add(const Packet& p, std::vector<uint8_t>& out, uint32_t& frames, uint64_t& frame_bytes,
           DecodeAnomalies& an);

  // Drops datagrams whose first fragment is older than the timeout. Returns
  // how many were dropped (each is an "ip.fragment_timeout" anomaly).
  uint64_t expire(TimeNs now);

  const DefragStats& stats() const { return stats_; }
  size_t buffered_bytes() const { return bytes_; }

 private:
  using Key = std::array<uint8_t, 44>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Datagram {
    Key key;
    TimeNs first_ts = 0;
    uint32_t total = 0;  // payload length, known once the last piece arrived
    bool have_last = false;
    uint32_t pieces = 0;
    uint32_t frames = 0;
    uint64_t frame_bytes = 0;
    uint8_t ttl = 0;
    std::vector<uint8_t> data;
    std::vector<std::pair<uint32_t, uint32_t>> filled;  // merged [begin, end)
  };
  using List = std::list<Datagram>;

  void drop(List::iterator it);
  List::iterator slot(const Key& key, TimeNs ts, DecodeAnomalies& an);
  void fill(Datagram& d, const uint8_t* src, uint32_t begin, uint32_t end, DecodeAnomalies& an);
  static bool emit(const Packet& p, const Datagram& d, std::vector<uint8_t>& out, DecodeAnomalies& an);
  static bool complete(const Datagram& d);

  DefragLimits lim_;
  DefragStats stats_;
  List order_;  // oldest first
  std::unordered_map<Key, List::iterator, KeyHash> index_;
  size_t bytes_ = 0;
};

}  // namespace ms
