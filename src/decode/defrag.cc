// IP fragment reassembly: RFC 791 §3.2 (IPv4), RFC 8200 §4.5 (IPv6).
#include "decode/defrag.h"

#include <algorithm>
#include <cstring>

#include "common/hash.h"

namespace ms {

namespace {
constexpr uint32_t kMaxDatagram = 65535;
}

size_t Defragmenter::KeyHash::operator()(const Key& k) const {
  return hash_bytes(k.data(), k.size(), 0x5bd1e995);
}

void Defragmenter::drop(List::iterator it) {
  bytes_ -= it->data.capacity();
  index_.erase(it->key);
  order_.erase(it);
}

bool Defragmenter::complete(const Datagram& d) {
  return d.have_last && d.filled.size() == 1 && d.filled[0].first == 0 &&
         d.filled[0].second == d.total;
}

// The datagram `key` belongs to, made room for (oldest first) when new.
Defragmenter::List::iterator Defragmenter::slot(const Key& key, TimeNs ts, DecodeAnomalies& an) {
  auto found = index_.find(key);
  if (found != index_.end()) return found->second;
  while (index_.size() >= lim_.max_datagrams || bytes_ + kMaxDatagram > lim_.max_bytes) {
    if (order_.empty()) break;
    drop(order_.begin());
    ++stats_.evicted;
    an.add("ip.fragment_table_full");
  }
  order_.push_back(Datagram{});
  auto it = std::prev(order_.end());
  it->key = key;
  it->first_ts = ts;
  index_.emplace(key, it);
  return it;
}

// Copies the bytes of [begin, end) not yet filled (the first copy wins),
// compares the rest, and merges the interval into the filled ones.
void Defragmenter::fill(Datagram& d, const uint8_t* src, uint32_t begin, uint32_t end, DecodeAnomalies& an) {
  if (d.data.size() < end) {
    size_t before = d.data.capacity();
    d.data.resize(end);
    bytes_ += d.data.capacity() - before;
  }
  // Copy only the bytes not yet filled (first copy wins); compare the rest.
  uint32_t pos = begin;
  bool overlap = false, mismatch = false;
  for (const auto& [fb, fe] : d.filled) {
    if (fe <= pos) continue;
    if (fb >= end) break;
    if (fb > pos) std::memcpy(d.data.data() + pos, src + (pos - begin), fb - pos);
    uint32_t ob = std::max(fb, pos), oe = std::min(fe, end);
    overlap = true;
    if (std::memcmp(d.data.data() + ob, src + (ob - begin), oe - ob) != 0) mismatch = true;
    pos = std::max(pos, fe);
    if (pos >= end) break;
  }
  if (pos < end) std::memcpy(d.data.data() + pos, src + (pos - begin), end - pos);
  if (overlap) an.add(mismatch ? "ip.fragment_overlap_mismatch" : "ip.fragment_overlap");
  // Merge [begin, end) into the filled intervals.
  auto& f = d.filled;
  f.emplace_back(begin, end);
  std::sort(f.begin(), f.end());
  size_t w = 0;
  for (size_t r = 1; r < f.size(); ++r) {
    if (f[r].first <= f[w].second) {
      f[w].second = std::max(f[w].second, f[r].second);
    } else {
      f[++w] = f[r];
    }
  }
  f.resize(w + 1);
}

// The reassembled datagram behind a minimal fixed header; false when it
// would exceed the largest IP datagram.
bool Defragmenter::emit(const Packet& p, const Datagram& d, std::vector<uint8_t>& out, DecodeAnomalies& an) {
  out.clear();
  if (p.ip_version == 4) {
    uint32_t tot = 20 + d.total;
    if (tot > kMaxDatagram) {
      an.add("ip.fragment_too_large");
      return false;
    }
    out.resize(tot);
    uint8_t* h = out.data();
    h[0] = 0x45;
    h[2] = static_cast<uint8_t>(tot >> 8);
    h[3] = static_cast<uint8_t>(tot);
    h[4] = static_cast<uint8_t>(p.frag_id >> 8);
    h[5] = static_cast<uint8_t>(p.frag_id);
    h[8] = d.ttl;
    h[9] = p.proto;
    std::memcpy(h + 12, p.src.b.data() + 12, 4);
    std::memcpy(h + 16, p.dst.b.data() + 12, 4);
    std::memcpy(h + 20, d.data.data(), d.total);
  } else {
    out.resize(40 + d.total);
    uint8_t* h = out.data();
    h[0] = 0x60;
    h[4] = static_cast<uint8_t>(d.total >> 8);
    h[5] = static_cast<uint8_t>(d.total);
    h[6] = p.proto;
    h[7] = d.ttl;
    std::memcpy(h + 8, p.src.b.data(), 16);
    std::memcpy(h + 24, p.dst.b.data(), 16);
    std::memcpy(h + 40, d.data.data(), d.total);
  }
  return true;
}

bool Defragmenter::add(const Packet& p, std::vector<uint8_t>& out, uint32_t& frames,
                       uint64_t& frame_bytes, DecodeAnomalies& an) {
  ++stats_.fragments;

  Key key{};
  std::memcpy(key.data(), p.src.b.data(), 16);
  std::memcpy(key.data() + 16, p.dst.b.data(), 16);
  std::memcpy(key.data() + 32, &p.frag_id, 4);
  key[36] = p.proto;
  key[37] = p.ip_version;
  std::memcpy(key.data() + 38, p.vlan, sizeof p.vlan);

  uint32_t begin = p.frag_offset;
  uint32_t end = begin + p.frag_len;
  if (end > kMaxDatagram) {
    an.add("ip.fragment_too_large");
    auto it = index_.find(key);
    if (it != index_.end()) drop(it->second);
    ++stats_.dropped;
    return false;
  }
  if (p.frag_more && (p.frag_len % 8) != 0) an.add("ip.fragment_bad_length");

  List::iterator it = slot(key, p.ts, an);
  Datagram& d = *it;
  d.frames += 1;
  d.frame_bytes += p.wirelen;
  if (++d.pieces > lim_.max_fragments) {
    an.add("ip.too_many_fragments");
    drop(it);
    ++stats_.dropped;
    return false;
  }
  if (begin == 0) d.ttl = p.ttl;
  if (!p.frag_more) {
    if (d.have_last && d.total != end) an.add("ip.fragment_conflicting_end");
    if (!d.have_last) {
      d.have_last = true;
      d.total = end;
    }
  }
  if (d.have_last && end > d.total) {
    an.add("ip.fragment_past_end");
    end = d.total;
  }
  if (end > begin) fill(d, p.frag_data, begin, end, an);
  if (!complete(d)) return false;

  bool ok = emit(p, d, out, an);
  if (ok) {
    frames = d.frames;
    frame_bytes = d.frame_bytes;
    ++stats_.reassembled;
  } else {
    ++stats_.dropped;
  }
  drop(it);
  return ok;
}

uint64_t Defragmenter::expire(TimeNs now) {
  uint64_t n = 0;
  while (!order_.empty() && now - order_.front().first_ts > lim_.timeout) {
    drop(order_.begin());
    ++n;
  }
  stats_.timeouts += n;
  return n;
}

}  // namespace ms
