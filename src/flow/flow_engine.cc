// Flow tracking: keys, orientation, TCP state, timeouts, eviction and the
// `flow` event.
#include "flow/flow_engine.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "common/hash.h"
#include "flow/app_driver.h"
#include "flow/orientation.h"

namespace ms {

namespace {
// Flow ids hash the key and start time with a fixed seed: the same capture
// gives the same ids on every run and for any number of workers. 51 bits keep
// them exact in JSON readers that use doubles.
constexpr uint64_t kFlowIdSeed = 0x6d656473656e7472ULL;  // "medsentr"
constexpr uint64_t kFlowIdMask = (1ULL << 51) - 1;

bool is_echo(const Packet& p) {
  if (p.proto == kProtoIcmp) return p.icmp_type == 8 || p.icmp_type == 0;
  if (p.proto == kProtoIcmpv6) return p.icmp_type == 128 || p.icmp_type == 129;
  return false;
}
}  // namespace

void FlowStats::add(const FlowStats& o) {
  packets += o.packets;
  packets_no_l4 += o.packets_no_l4;
  flows += o.flows;
  ended_timeout += o.ended_timeout;
  ended_tcp_closed += o.ended_tcp_closed;
  ended_tcp_reset += o.ended_tcp_reset;
  ended_evicted += o.ended_evicted;
  ended_end_of_capture += o.ended_end_of_capture;
  active_timeouts += o.active_timeouts;
  tcp_reassembled_bytes += o.tcp_reassembled_bytes;
  tcp_retransmitted_bytes += o.tcp_retransmitted_bytes;
  tcp_ooo_segments += o.tcp_ooo_segments;
  tcp_gaps += o.tcp_gaps;
  tcp_gap_bytes += o.tcp_gap_bytes;
  tcp_overlap_mismatch += o.tcp_overlap_mismatch;
  app_matched += o.app_matched;
  app_unknown += o.app_unknown;
  app_errors += o.app_errors;
  anomalies += o.anomalies;
}

FlowEngine::FlowEngine(const FlowConfig& cfg, EventSink& sink)
    : cfg_(cfg), sink_(sink), table_(cfg.max_flows) {
  for (const DissectorSpec& s : DissectorRegistry::all()) {
    if (std::find(cfg.disabled_dissectors.begin(), cfg.disabled_dissectors.end(), s.name) !=
        cfg.disabled_dissectors.end()) {
      continue;
    }
    if (s.transports & kTransportTcp) tcp_specs_.push_back(&s);
    if ((s.transports & kTransportTcp) && s.midstream_probe) tcp_midstream_probes_ = true;
    if (s.transports & kTransportUdp) udp_specs_.push_back(&s);
  }
}

FlowEngine::~FlowEngine() = default;

FlowKey FlowEngine::key_of(const Packet& p) {
  FlowKey k;
  uint16_t sp = p.sport, dp = p.dport;
  if (p.proto != kProtoTcp && p.proto != kProtoUdp) {
    sp = dp = is_echo(p) ? p.icmp_id : 0;
  }
  if (p.src < p.dst || (p.src == p.dst && sp <= dp)) {
    k.lo = p.src; k.hi = p.dst; k.lo_port = sp; k.hi_port = dp;
  } else {
    k.lo = p.dst; k.hi = p.src; k.lo_port = dp; k.hi_port = sp;
  }
  k.vlan[0] = p.vlan[0];
  k.vlan[1] = p.vlan[1];
  k.proto = p.proto;
  return k;
}

uint64_t FlowEngine::hash_key(const FlowKey& k, uint64_t seed) {
  return hash_bytes(&k, sizeof k, seed);
}

TimeoutClass FlowEngine::class_of(const Flow& f) const {
  if (f.proto == kProtoTcp) {
    switch (f.tcp_state) {
      case TcpState::kNone:
      case TcpState::kSynSent:
      case TcpState::kSynRecv:
        return kClassTcpNew;
      case TcpState::kEstablished:
      case TcpState::kFinWait:
        return kClassTcpEstablished;
      default:
        return kClassTcpClosed;
    }
  }
  return f.proto == kProtoUdp ? kClassUdp : kClassOther;
}

const char* FlowEngine::expiry_reason(const Flow& f) const {
  if (f.tcp_state == TcpState::kReset) return "tcp_reset";
  if (f.tcp_state == TcpState::kClosed || f.tcp_state == TcpState::kClosing) return "tcp_closed";
  return "timeout";
}

Flow* FlowEngine::new_flow(uint64_t hash, const FlowKey& key, const Packet& p) {
  if (table_.full()) {
    // Memory cap: the least recently seen flow makes room, and says so.
    Flow* victim = table_.oldest_any();
    flow_anomaly(victim, "flow", "flow.table_full_evicted");
    end_flow(victim, "evicted");
  }
  Flow* f = table_.insert(hash, key);
  ++stats_.flows;
  if (first_packet_from_server(p)) {
    f->src = p.dst; f->dst = p.src; f->sport = p.dport; f->dport = p.sport;
  } else {
    f->src = p.src; f->dst = p.dst; f->sport = p.sport; f->dport = p.dport;
  }
  if (p.proto != kProtoTcp && p.proto != kProtoUdp) {
    f->sport = f->dport = 0;
    f->icmp_type = p.icmp_type;
    f->icmp_code = p.icmp_code;
  }
  f->proto = p.proto;
  f->vlan_count = p.vlan_count;
  f->vlan[0] = p.vlan[0];
  f->vlan[1] = p.vlan[1];
  f->first_ts = f->segment_start = f->last_ts = p.ts;
  uint64_t id = hash_bytes(&key, sizeof key, kFlowIdSeed) ^ mix64(static_cast<uint64_t>(p.ts));
  f->flow_id = mix64(id) & kFlowIdMask;
  if (f->flow_id == 0) f->flow_id = 1;
  bool any = p.proto == kProtoTcp ? !tcp_specs_.empty() : p.proto == kProtoUdp ? !udp_specs_.empty() : false;
  if (!any) f->app_state = AppState::kNone;
  return f;
}

void FlowEngine::process(const Packet& p) {
  now_ = p.ts;
  ++stats_.packets;
  if (!p.l4_ok) {
    ++stats_.packets_no_l4;
    return;
  }
  FlowKey key = key_of(p);
  uint64_t h = hash_key(key, cfg_.hash_seed);
  Flow* f = table_.find(h, key);
  if (f) {
    if (p.ts - f->last_ts > cfg_.timeout[class_of(*f)]) {
      end_flow(f, expiry_reason(*f));
      f = nullptr;
    } else if (p.proto == kProtoTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn &&
               (f->tcp_state == TcpState::kClosed || f->tcp_state == TcpState::kClosing ||
                f->tcp_state == TcpState::kReset)) {
      // A new connection on the same ports (port reuse).
      end_flow(f, expiry_reason(*f));
      f = nullptr;
    }
  }
  if (!f) f = new_flow(h, key, p);
  int dir = f->dir_of(p.src, f->proto == kProtoTcp || f->proto == kProtoUdp ? p.sport : 0);
  if (p.ts - f->segment_start > cfg_.active_timeout) {
    emit_flow_event(*f, "active_timeout");
    ++stats_.active_timeouts;
    f->pkts[0] = f->pkts[1] = f->bytes[0] = f->bytes[1] = 0;
    f->segment_start = p.ts;
  }
  f->pkts[dir] += p.frames;
  f->bytes[dir] += p.frame_bytes;
  f->last_ts = p.ts;
  if (p.payload_len) f->data[dir] = true;
  if (f->ttl[dir] == 0) f->ttl[dir] = p.ttl;
  if (p.src_mac && !f->has_mac[dir]) {
    std::memcpy(f->mac[dir], p.src_mac, 6);
    f->has_mac[dir] = true;
  }
  if (p.dst_mac && !(p.dst_mac[0] & 1) && !f->has_mac[1 - dir]) {  // unicast only
    std::memcpy(f->mac[1 - dir], p.dst_mac, 6);
    f->has_mac[1 - dir] = true;
  }
  if (f->proto == kProtoTcp) {
    handle_tcp(f, dir, p);
  } else if (f->proto == kProtoUdp && p.payload_len > 0 && f->app_state != AppState::kNone) {
    app_data(f, dir, Bytes(p.payload, p.payload_len));
  }
  table_.touch(f, class_of(*f));
}

void FlowEngine::handle_tcp(Flow* f, int dir, const Packet& p) {
  const uint8_t fl = p.tcp_flags;
  f->tcp_flags[dir] |= fl;
  TcpStream& s = f->stream[dir];
  if (fl & kTcpRst) {
    f->tcp_state = TcpState::kReset;
    return;
  }
  if (fl & kTcpSyn) {
    if (!(fl & kTcpAck)) {
      if (f->tcp_state == TcpState::kNone) f->tcp_state = TcpState::kSynSent;
    } else if (f->tcp_state == TcpState::kNone || f->tcp_state == TcpState::kSynSent) {
      f->tcp_state = TcpState::kSynRecv;
    }
    if (!s.initialized()) s.init(p.seq + 1);
  } else {
    if (f->tcp_state == TcpState::kNone) {
      f->midstream = true;  // capture started after the handshake
      f->tcp_state = TcpState::kEstablished;
    } else if ((f->tcp_state == TcpState::kSynSent || f->tcp_state == TcpState::kSynRecv) &&
               (fl & kTcpAck)) {
      f->tcp_state = TcpState::kEstablished;
    } else if (f->tcp_state == TcpState::kClosing && (fl & kTcpAck) && !(fl & kTcpFin)) {
      f->tcp_state = TcpState::kClosed;
    }
    if (!s.initialized()) s.init(p.seq);
  }
  if (f->app_state != AppState::kNone) {
    if (p.payload_len > 0) {
      uint32_t seq = (fl & kTcpSyn) ? p.seq + 1 : p.seq;
      Driver d(this, f, dir);
      s.segment(seq, Bytes(p.payload, p.payload_len), limits_for(*f), d);
    }
    if ((fl & kTcpAck) && f->app_state != AppState::kNone) {
      Driver d(this, f, 1 - dir);
      f->stream[1 - dir].peer_ack(p.ack, limits_for(*f), d);
    }
  }
  if (fl & kTcpFin) {
    if (!f->fin[dir]) {
      f->fin[dir] = true;
      s.set_fin(p.seq + p.payload_len + ((fl & kTcpSyn) ? 1 : 0));
    }
    f->tcp_state = (f->fin[0] && f->fin[1]) ? TcpState::kClosing : TcpState::kFinWait;
  }
}

void FlowEngine::advance(TimeNs now) {
  now_ = now;
  for (int c = 0; c < kNumTimeoutClasses; ++c) {
    for (Flow* f = table_.oldest(static_cast<TimeoutClass>(c));
         f && now - f->last_ts > cfg_.timeout[c]; f = table_.oldest(static_cast<TimeoutClass>(c))) {
      end_flow(f, expiry_reason(*f));
    }
  }
}

void FlowEngine::finish(TimeNs end_ts) {
  now_ = end_ts;
  for (Flow* f = table_.oldest_any(); f; f = table_.oldest_any()) {
    const char* reason = expiry_reason(*f);
    if (std::strcmp(reason, "timeout") == 0 && end_ts - f->last_ts <= cfg_.timeout[f->tclass]) {
      reason = "end_of_capture";
    }
    end_flow(f, reason);
  }
}

void FlowEngine::end_flow(Flow* f, const char* reason) {
  app_end(f);
  emit_flow_event(*f, reason);
  if (!std::strcmp(reason, "timeout")) ++stats_.ended_timeout;
  else if (!std::strcmp(reason, "tcp_closed")) ++stats_.ended_tcp_closed;
  else if (!std::strcmp(reason, "tcp_reset")) ++stats_.ended_tcp_reset;
  else if (!std::strcmp(reason, "evicted")) ++stats_.ended_evicted;
  else ++stats_.ended_end_of_capture;
  for (const TcpStream& s : f->stream) {
    const StreamStats& st = s.stats();
    stats_.tcp_reassembled_bytes += st.delivered;
    stats_.tcp_retransmitted_bytes += st.retransmitted;
    stats_.tcp_ooo_segments += st.ooo_segments;
    stats_.tcp_gaps += st.gaps;
    stats_.tcp_gap_bytes += st.gap_bytes;
    stats_.tcp_overlap_mismatch += st.overlap_mismatch;
  }
  table_.remove(f);
}

Envelope FlowEngine::envelope_of(const Flow& f, TimeNs ts) const {
  Envelope e;
  e.ts = ts;
  e.flow_id = f.flow_id;
  if (f.src_text.empty()) {
    f.src_text = f.src.str();
    f.dst_text = f.dst.str();
  }
  e.src_ip = f.src_text;
  e.dest_ip = f.dst_text;
  e.proto = ip_proto_name(f.proto);
  e.has_ports = f.proto == kProtoTcp || f.proto == kProtoUdp;
  e.src_port = f.sport;
  e.dest_port = f.dport;
  e.vlan_count = f.vlan_count;
  e.vlan[0] = f.vlan[0];
  e.vlan[1] = f.vlan[1];
  return e;
}

void FlowEngine::emit_flow_event(const Flow& f, const char* reason) {
  Envelope env = envelope_of(f, f.segment_start);
  EventBuilder b(env, "flow");
  JsonWriter& w = b.w();
  std::string app_name = f.app ? std::string(f.app->name) : "unknown";
  if (f.proto == kProtoIcmp || f.proto == kProtoIcmpv6) {
    w.kv("icmp_type", static_cast<unsigned>(f.icmp_type));
    w.kv("icmp_code", static_cast<unsigned>(f.icmp_code));
  }
  w.kv("app_proto", app_name);
  const char* state;
  if (f.proto == kProtoTcp) {
    state = f.tcp_state == TcpState::kClosed || f.tcp_state == TcpState::kClosing ||
                    f.tcp_state == TcpState::kReset
                ? "closed"
                : f.tcp_state == TcpState::kEstablished || f.tcp_state == TcpState::kFinWait ? "established"
                                                                                             : "new";
  } else {
    state = f.pkts[1] > 0 ? "established" : "new";
  }
  w.key("flow").begin_object();
  w.kv("pkts_toserver", f.pkts[0]);
  w.kv("pkts_toclient", f.pkts[1]);
  w.kv("bytes_toserver", f.bytes[0]);
  w.kv("bytes_toclient", f.bytes[1]);
  char start[kTimeTextMax], end[kTimeTextMax];
  w.kv("start", std::string_view(start, format_time_to(start, f.segment_start)));
  w.kv("end", std::string_view(end, format_time_to(end, f.last_ts)));
  w.kv("age", static_cast<int64_t>((f.last_ts - f.segment_start) / kNsPerSec));
  w.kv("state", state);
  w.kv("reason", reason);
  static const char* kHex = "0123456789abcdef";
  for (int d = 0; d < 2; ++d) {
    if (!f.has_mac[d]) continue;
    char mac[18];
    for (int i = 0; i < 6; ++i) {
      mac[i * 3] = kHex[f.mac[d][i] >> 4];
      mac[i * 3 + 1] = kHex[f.mac[d][i] & 15];
      mac[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
    w.kv(d == 0 ? "src_mac" : "dest_mac", std::string_view(mac, 17));
  }
  if (f.ttl[0]) w.kv("src_ttl", static_cast<unsigned>(f.ttl[0]));
  if (f.ttl[1]) w.kv("dest_ttl", static_cast<unsigned>(f.ttl[1]));
  w.end_object();
  if (f.proto == kProtoTcp) {
    char hex[3][2];
    auto flags_hex = [](char* out, uint8_t v) {
      out[0] = kHex[v >> 4];
      out[1] = kHex[v & 15];
      return std::string_view(out, 2);
    };
    uint8_t all = f.tcp_flags[0] | f.tcp_flags[1];
    w.key("tcp").begin_object();
    w.kv("tcp_flags", flags_hex(hex[0], all));
    w.kv("tcp_flags_ts", flags_hex(hex[1], f.tcp_flags[0]));
    w.kv("tcp_flags_tc", flags_hex(hex[2], f.tcp_flags[1]));
    static constexpr std::pair<uint8_t, const char*> kNames[] = {
        {kTcpSyn, "syn"}, {kTcpFin, "fin"}, {kTcpRst, "rst"}, {kTcpPsh, "psh"},
        {kTcpAck, "ack"}, {kTcpUrg, "urg"}, {kTcpEce, "ecn"}, {kTcpCwr, "cwr"}};
    for (const auto& [bit, name] : kNames) {
      if (all & bit) w.kv(name, true);
    }
    w.kv("state", tcp_state_name(f.tcp_state));
    if (f.midstream) w.kv("midstream", true);
    uint64_t gaps = f.stream[0].stats().gaps + f.stream[1].stats().gaps;
    if (gaps > 0) {
      w.kv("gaps", gaps);
      w.kv("gap_bytes", f.stream[0].stats().gap_bytes + f.stream[1].stats().gap_bytes);
    }
    w.end_object();
  }
  Event ev = b.finish();
  auto row = std::make_unique<FlowRow>();
  row->flow_id = f.flow_id;
  row->src_ip = env.src_ip;
  row->dest_ip = env.dest_ip;
  row->proto = env.proto;
  row->src_port = env.src_port;
  row->dest_port = env.dest_port;
  row->app_proto = app_name;
  for (int i = 0; i < f.vlan_count; ++i) {
    if (i) row->vlan += ',';
    row->vlan += std::to_string(f.vlan[i]);
  }
  row->state = state;
  row->reason = reason;
  row->start = f.segment_start;
  row->end = f.last_ts;
  row->pkts_toserver = f.pkts[0];
  row->pkts_toclient = f.pkts[1];
  row->bytes_toserver = f.bytes[0];
  row->bytes_toclient = f.bytes[1];
  for (int d = 0; d < 2; ++d) {
    if (f.has_mac[d]) std::memcpy(row->mac[d], f.mac[d], 6);
    row->has_mac[d] = f.has_mac[d];
    row->ttl[d] = f.ttl[d];
    row->tcp_flags[d] = f.tcp_flags[d];
    row->data[d] = f.data[d];
  }
  // Answered: the responder took part (a SYN-ACK, data picked up midstream
  // that is not a reset, or any UDP/ICMP reply): it offers the service.
  if (f.proto == kProtoTcp) {
    uint8_t tc = f.tcp_flags[1];
    row->answered = ((tc & kTcpSyn) && (tc & kTcpAck)) || (f.midstream && f.pkts[1] > 0 && !(tc & kTcpRst));
  } else {
    row->answered = f.pkts[1] > 0;
  }
  row->icmp_type = f.icmp_type;
  ev.flow = std::move(row);
  sink_.emit(std::move(ev));
}

}  // namespace ms
