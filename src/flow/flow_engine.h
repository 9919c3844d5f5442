// The per-worker flow stage: packets in, flows tracked, TCP reassembled,
// dissectors fed, `flow` and `anomaly` events out. One engine per worker; it
// takes no locks and owns all of its state (STYLE.md 7).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/phi.h"
#include "decode/packet.h"
#include "dissectors/dissector.h"
#include "events/event.h"
#include "flow/flow.h"
#include "flow/flow_table.h"

namespace ms {

struct FlowConfig {
  // Idle timeouts per TimeoutClass: TCP new (no handshake yet), TCP
  // established, TCP closed/reset, UDP, other protocols.
  TimeNs timeout[kNumTimeoutClasses] = {60 * kNsPerSec, 600 * kNsPerSec, 10 * kNsPerSec,
                                        120 * kNsPerSec, 60 * kNsPerSec};
  // Hard (active) timeout: a flow older than this is reported and its
  // counters restart, its state and flow id are kept (like NetFlow).
  TimeNs active_timeout = 3600 * kNsPerSec;
  size_t max_flows = 1'000'000;  // per worker
  StreamLimits stream;
  uint32_t max_app_buffer = 1u << 20;  // bytes of an unfinished unit per direction
  uint32_t probe_bytes = 2048;         // bytes looked at before giving up on a direction
  uint32_t midstream_probe_bytes = 16 * 1024 + 256;  // the same, for midstream flows with a midstream probe
  uint32_t probe_datagrams = 8;        // UDP datagrams looked at before giving up
  uint64_t hash_seed = 0;
  // Turns patient identifiers into tokens; shared, immutable, outlives the
  // engines. Null: identifiers are redacted entirely.
  const PhiTokenizer* phi = nullptr;
  // Dissectors the user turned off (--disable-dissector): never probed.
  std::vector<std::string> disabled_dissectors;
};

struct FlowStats {
  uint64_t packets = 0;
  uint64_t packets_no_l4 = 0;
  uint64_t flows = 0;
  uint64_t ended_timeout = 0, ended_tcp_closed = 0, ended_tcp_reset = 0, ended_evicted = 0,
           ended_end_of_capture = 0, active_timeouts = 0;
  uint64_t tcp_reassembled_bytes = 0, tcp_retransmitted_bytes = 0, tcp_ooo_segments = 0,
           tcp_gaps = 0, tcp_gap_bytes = 0, tcp_overlap_mismatch = 0;
  uint64_t app_matched = 0, app_unknown = 0, app_errors = 0;
  uint64_t anomalies = 0;
  void add(const FlowStats& o);
};

class FlowEngine {
 public:
  FlowEngine(const FlowConfig& cfg, EventSink& sink);
  ~FlowEngine();
  FlowEngine(const FlowEngine&) = delete;
  FlowEngine& operator=(const FlowEngine&) = delete;

  // A decoded, non-fragment IP packet (or a reassembled datagram).
  void process(const Packet& p);
  // Ends flows idle for longer than their timeout at packet time `now`.
  void advance(TimeNs now);
  // End of input: every remaining flow ends. `end_ts` is the time of the
  // last packet of the whole capture (the same for every worker).
  void finish(TimeNs end_ts);

  const FlowStats& stats() const { return stats_; }
  size_t active_flows() const { return table_.size(); }

  // The flow key of a packet, canonical over both directions.
  static FlowKey key_of(const Packet& p);
  static uint64_t hash_key(const FlowKey& k, uint64_t seed);

 private:
  class Driver;
  friend class Driver;

  Flow* new_flow(uint64_t hash, const FlowKey& key, const Packet& p);
  void end_flow(Flow* f, const char* reason);
  void emit_flow_event(const Flow& f, const char* reason);
  TimeoutClass class_of(const Flow& f) const;
  const char* expiry_reason(const Flow& f) const;
  void handle_tcp(Flow* f, int dir, const Packet& p);
  // The reassembly limits of a flow: its dissector's depth, or the default.
  StreamLimits limits_for(const Flow& f) const {
    StreamLimits l = cfg_.stream;
    if (f.app && f.app->stream_depth) l.depth = f.app->stream_depth;
    return l;
  }

  // Application layer (app_layer.cc).
  void app_data(Flow* f, int dir, Bytes data);
  void app_gap(Flow* f, int dir, uint64_t len);
  void app_feed(Flow* f, int dir, Bytes data);
  void app_none(Flow* f);
  void app_end(Flow* f);
  void flow_anomaly(Flow* f, const char* type, const char* reason);
  Envelope envelope_of(const Flow& f, TimeNs ts) const;

  FlowConfig cfg_;
  EventSink& sink_;
  FlowTable table_;
  FlowStats stats_;
  TimeNs now_ = 0;
  std::vector<const DissectorSpec*> tcp_specs_, udp_specs_;
  bool tcp_midstream_probes_ = false;  // some TCP dissector has a midstream probe
};

}  // namespace ms
