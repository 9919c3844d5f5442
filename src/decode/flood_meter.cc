// Flood metering: per-destination rates of SYNs and fragments (flood_meter.h).
#include "decode/flood_meter.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <tuple>

#include "common/hash.h"

namespace ms {

namespace {
uint64_t mix(const IpAddr& ip, uint64_t seed) { return hash_bytes(ip.b.data(), ip.b.size(), seed); }

// The target table's seed: per run, so that nobody can precompute addresses
// that collide in it (the estimates use a fixed one: reproducible).
uint64_t table_seed() {
  static const uint64_t seed = std::random_device{}() | (static_cast<uint64_t>(std::random_device{}()) << 32);
  return seed;
}
}  // namespace

const char* flood_kind_name(FloodKind k) { return k == FloodKind::kSyn ? "syn" : "fragment"; }

void TopSources::add(const IpAddr& ip) {
  for (size_t i = 0; i < n_; ++i) {
    if (e_[i].ip == ip) {
      ++e_[i].count;
      return;
    }
  }
  if (n_ < kK) {
    e_[n_++] = Entry{ip, 1, 0};
    return;
  }
  // Full: the smallest counter is taken over; its count becomes the newcomer's
  // possible overestimate.
  size_t m = 0;
  for (size_t i = 1; i < kK; ++i) {
    if (e_[i].count < e_[m].count) m = i;
  }
  e_[m] = Entry{ip, e_[m].count + 1, e_[m].count};
}

std::vector<TopSources::Entry> TopSources::top(uint64_t total, double min_share) const {
  std::vector<Entry> v;
  for (size_t i = 0; i < n_; ++i) {
    uint64_t sure = e_[i].count - e_[i].error;
    if (sure >= 2 && static_cast<double>(sure) >= min_share * static_cast<double>(total)) v.push_back(e_[i]);
  }
  std::sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) {
    return a.count != b.count ? a.count > b.count : a.ip < b.ip;
  });
  return v;
}

void DistinctCounter::add(const IpAddr& ip) {
  uint64_t h = mix(ip, 0x686c6cULL);
  size_t j = h & 255;
  uint64_t w = h >> 8;
  uint8_t rank = static_cast<uint8_t>(w == 0 ? 57 : std::countr_zero(w) + 1);
  if (rank > reg_[j]) reg_[j] = rank;
}

uint64_t DistinctCounter::estimate() const {
  constexpr double m = 256, alpha = 0.7213 / (1 + 1.079 / m);
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : reg_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / zeros);  // linear counting
  return static_cast<uint64_t>(e + 0.5);
}

size_t FloodMeter::KeyHash::operator()(const Key& k) const {
  return static_cast<size_t>(mix(k.ip, table_seed() ^ static_cast<uint64_t>(k.kind)));
}

void FloodMeter::on_packet(const Packet& p, EventSink& out) {
  if (p.ip_version == 0) return;
  int64_t sec = p.ts / kNsPerSec;
  if (sec > swept_sec_) sweep(sec, out);
  if (p.is_fragment) {
    count(Key{p.dst, FloodKind::kFragment}, p);
    return;
  }
  if (p.proto != kProtoTcp || !p.l4_ok) return;
  uint8_t syn_ack = p.tcp_flags & (kTcpSyn | kTcpAck);
  if (syn_ack == kTcpSyn) {
    count(Key{p.dst, FloodKind::kSyn}, p);
  } else if (syn_ack == (kTcpSyn | kTcpAck)) {
    // The target answering: counted only while it is being flooded.
    auto it = targets_.find(Key{p.src, FloodKind::kSyn});
    if (it != targets_.end() && it->second.flooding) ++it->second.ev.answered;
  }
}

void FloodMeter::count(const Key& k, const Packet& p) {
  int64_t sec = p.ts / kNsPerSec;
  auto it = targets_.find(k);
  if (it == targets_.end()) {
    if (targets_.size() >= lim_.max_targets) {
      ++stats_.untracked;
      return;
    }
    it = targets_.emplace(k, Target{}).first;
    it->second.sec = sec;
  }
  Target& t = it->second;
  if (sec > t.sec) close_second(t, k, sec);
  if (t.in_sec == 0) {
    t.sec_first = p.ts;
    if (t.run == 0 && !t.flooding) {
      t.ev.port = k.kind == FloodKind::kSyn ? p.dport : 0;
      t.ev.proto = p.proto;
    }
  }
  ++t.in_sec;
  if (k.kind == FloodKind::kSyn) {
    t.sec_sources.add(p.src);
    t.sec_top.add(p.src);
  }
  t.last_ts = std::max(t.last_ts, p.ts);
  t.top.add(p.src);
  t.distinct.add(p.src);
}

bool FloodMeter::over_rate(const Target& t, FloodKind k) const {
  if (t.in_sec < rate(k)) return false;
  if (k != FloodKind::kSyn) return true;
  if (t.sec_sources.estimate() >= lim_.syn_min_sources) return true;  // forged sources
  std::vector<TopSources::Entry> top = t.sec_top.top(t.in_sec, 0.0);
  return !top.empty() && top[0].count - top[0].error >= lim_.syn_per_second / 4;  // one host hammering
}

// Ends the second being counted and moves to `sec` (packet time only).
// Returns true when the target's flood is over (quiet for long enough).
bool FloodMeter::close_second(Target& t, const Key& k, int64_t sec) {
  if (sec <= t.sec) return false;
  if (over_rate(t, k.kind)) {
    if (t.run == 0 || t.last_over != t.sec - 1) {
      t.run = 0;
      t.run_packets = 0;
      t.run_first = t.sec_first;
    }
    ++t.run;
    t.run_packets += t.in_sec;
    t.last_over = t.sec;
    t.ev.peak_pps = std::max<uint64_t>(t.ev.peak_pps, t.in_sec);
    if (t.flooding) {
      ++t.ev.seconds;
      t.ev.packets += t.in_sec;
    } else if (t.run >= lim_.min_seconds) {
      t.flooding = true;
      t.ev.first = t.run_first;
      t.ev.packets = t.run_packets;
      t.ev.seconds = t.run;
    }
  } else if (t.flooding) {
    t.ev.packets += t.in_sec;  // the tail of a flood still belongs to it
  } else {
    reset_run(t);
  }
  // A silent second breaks a run that has not become a flood yet.
  if (!t.flooding && sec > t.sec + 1) reset_run(t);
  t.sec = sec;
  t.in_sec = 0;
  t.sec_first = 0;
  if (k.kind == FloodKind::kSyn) {
    t.sec_sources = DistinctCounter{};
    t.sec_top = TopSources{};
  }
  return t.flooding && sec - t.last_over > static_cast<int64_t>(lim_.quiet_seconds);
}

void FloodMeter::reset_run(Target& t) {
  t.run = 0;
  t.run_packets = 0;
  t.ev.peak_pps = 0;
  t.top = TopSources{};
  t.distinct = DistinctCounter{};
}

void FloodMeter::report(Target& t, const Key& k, bool ongoing, EventSink& out) {
  t.ev.kind = k.kind;
  t.ev.target = k.ip;
  t.ev.last = t.last_ts;
  t.ev.top_sources = t.top.top(t.ev.packets, 0.01);
  t.ev.distinct_sources = t.distinct.estimate();
  t.ev.ongoing = ongoing;
  ++stats_.floods;
  out.emit(t.ev.to_event());
}

// Once per second of packet time: floods that went quiet are reported, and
// every target that was below the rate in the second just closed is
// forgotten. Each second thus starts with only the targets in a run or a
// flood, so a scan that touches a new address per packet cannot keep a
// flooded target out of the table for long: its first packet of the second
// finds room unless max_targets other addresses came first.
void FloodMeter::sweep(int64_t now_sec, EventSink& out) {
  swept_sec_ = now_sec;
  std::vector<std::pair<Key, Target>> ended;
  for (auto it = targets_.begin(); it != targets_.end();) {
    Target& t = it->second;
    if (close_second(t, it->first, now_sec)) {
      ended.emplace_back(it->first, std::move(t));
      it = targets_.erase(it);
    } else if (!t.flooding && t.run == 0) {
      it = targets_.erase(it);
    } else {
      ++it;
    }
  }
  // In order of their start, not of the (randomly seeded) table.
  std::sort(ended.begin(), ended.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.ev.first, a.first.ip, a.first.kind) < std::tie(b.second.ev.first, b.first.ip, b.first.kind);
  });
  for (auto& [k, t] : ended) report(t, k, false, out);
}

void FloodMeter::finish(EventSink& out) {
  // Floods in order of their start, so the output does not depend on the
  // hash table's order.
  std::vector<std::pair<Key, Target*>> open;
  for (auto& [k, t] : targets_) {
    close_second(t, k, t.sec + 1);
    if (t.flooding) open.emplace_back(k, &t);
  }
  std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->ev.first, a.first.ip, a.first.kind) < std::tie(b.second->ev.first, b.first.ip, b.first.kind);
  });
  for (auto& [k, t] : open) report(*t, k, t->last_over >= t->sec - 1, out);
  targets_.clear();
}

}  // namespace ms
