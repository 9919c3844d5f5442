// Decode, defragment, report anomalies, shard by flow.
#include "app/dispatcher.h"

#include "dissectors/dissector.h"
#include "flow/flow_engine.h"

namespace ms {

namespace {
constexpr uint64_t kShardSeed = 0x7368617264ULL;  // fixed: sharding is reproducible
}

Dispatcher::Dispatcher(std::vector<PacketConsumer*> workers, EventSink& anomalies,
                       uint64_t events_per_reason, DefragLimits defrag_limits, FloodLimits flood_limits)
    : workers_(std::move(workers)),
      sink_(anomalies),
      per_reason_(events_per_reason),
      defrag_(defrag_limits),
      floods_(flood_limits) {
  stats_.per_worker.assign(workers_.size(), 0);
}

void Dispatcher::report(const DecodeAnomalies& an, const Packet& p) {
  for (int i = 0; i < an.n; ++i) {
    ++stats_.anomalies;
    uint64_t n = ++stats_.anomaly_reasons[an.reason[i]];
    if (n > per_reason_) continue;  // counted in the stats, not logged again
    Envelope env;
    env.ts = p.ts;
    if (p.ip_version != 0) {
      env.src_ip = p.src.str();
      env.dest_ip = p.dst.str();
      env.proto = ip_proto_name(p.proto);
      env.has_ports = p.l4_ok && (p.proto == kProtoTcp || p.proto == kProtoUdp);
      env.src_port = p.sport;
      env.dest_port = p.dport;
    }
    env.vlan_count = p.vlan_count;
    env.vlan[0] = p.vlan[0];
    env.vlan[1] = p.vlan[1];
    EventBuilder b(env, "anomaly");
    b.w().key("anomaly").begin_object();
    b.w().kv("type", "decode");
    b.w().kv("event", an.reason[i]);
    b.w().end_object();
    sink_.emit(b.finish());
  }
}

void Dispatcher::handle(const RawPacket& r) {
  if (stats_.packets == 0) stats_.first_ts = r.ts;
  ++stats_.packets;
  stats_.bytes += r.wirelen;
  if (r.ts > clock_) clock_ = r.ts;
  stats_.last_ts = clock_;
  if (r.caplen < r.wirelen) ++stats_.snaplen_truncated;

  Packet p;
  p.ts = r.ts;
  p.data = r.data;
  p.caplen = r.caplen;
  p.wirelen = r.wirelen;
  p.linktype = r.linktype;
  p.frame_bytes = r.wirelen;
  DecodeAnomalies an;
  DecodeOutcome out = decode_packet(p, an);
  if (an.n) report(an, p);
  if (out == DecodeOutcome::kBad) {
    ++stats_.undecodable;
    return;
  }
  if (out == DecodeOutcome::kNonIp) {
    ++stats_.non_ip;
    if (p.l2_payload) {
      FrameContext fc;
      fc.ts = p.ts;
      fc.src_mac = p.src_mac;
      fc.vlan_count = p.vlan_count;
      fc.vlan[0] = p.vlan[0];
      fc.vlan[1] = p.vlan[1];
      fc.sink = &sink_;
      Bytes payload(p.l2_payload, p.l2_payload_len);
      for (const FrameDissectorSpec& f : DissectorRegistry::frames()) {
        if (f.handle(p.ethertype, payload, fc)) break;
      }
    }
    return;
  }
  // Before reassembly: a fragment flood is the fragments themselves.
  floods_.on_packet(p, sink_);
  if (uint64_t expired = defrag_.expire(p.ts)) {
    DecodeAnomalies ex;
    for (uint64_t i = 0; i < expired && i < DecodeAnomalies::kMax; ++i) ex.add("ip.fragment_timeout");
    Packet none;
    none.ts = p.ts;
    report(ex, none);
  }
  if (!p.is_fragment) {
    route(p);
    return;
  }
  uint32_t frames = 0;
  uint64_t frame_bytes = 0;
  DecodeAnomalies fa;
  bool done = defrag_.add(p, datagram_, frames, frame_bytes, fa);
  if (fa.n) report(fa, p);
  if (!done) return;
  Packet q;
  q.ts = p.ts;
  q.data = datagram_.data();
  q.caplen = q.wirelen = static_cast<uint32_t>(datagram_.size());
  q.linktype = kLinkRaw;
  q.frames = frames;
  q.frame_bytes = frame_bytes;
  q.vlan_count = p.vlan_count;
  q.vlan[0] = p.vlan[0];
  q.vlan[1] = p.vlan[1];
  DecodeAnomalies qa;
  if (decode_packet(q, qa) != DecodeOutcome::kIp) {
    report(qa, q);
    ++stats_.undecodable;
    return;
  }
  if (qa.n) report(qa, q);
  route(q);
}

void Dispatcher::route(const Packet& p) {
  size_t w = 0;
  if (workers_.size() > 1) {
    w = FlowEngine::hash_key(FlowEngine::key_of(p), kShardSeed) % workers_.size();
  }
  ++stats_.per_worker[w];
  workers_[w]->consume(p, clock_);
}

void Dispatcher::tick(TimeNs now) {
  if (now > clock_) clock_ = now;
  for (PacketConsumer* w : workers_) w->tick(clock_);
}

void Dispatcher::finish() {
  floods_.finish(sink_);
  for (PacketConsumer* w : workers_) w->finish(stats_.last_ts);
}

}  // namespace ms
