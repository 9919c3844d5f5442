// The application layer of a flow: probing dissectors on the first bytes of
// each direction (content decides, ports only order the probes), then feeding
// the chosen dissector with ordered bytes and buffering unfinished units.
#include <algorithm>

#include "common/hash.h"
#include "flow/app_driver.h"
#include "flow/flow_engine.h"

namespace ms {

namespace {

enum class ProbeOutcome { kMatch, kNoMatch, kNeedMore };

// The ordinary probes, or (midstream) the midstream probes of the
// dissectors that have one.
ProbeOutcome run_probes(const std::vector<const DissectorSpec*>& specs, const Flow& f, int dir,
                        Bytes data, const DissectorSpec*& match, bool midstream = false) {
  bool need_more = false;
  // Two passes: the dissectors that name one of the flow's ports first.
  for (int pass = 0; pass < 2; ++pass) {
    for (const DissectorSpec* s : specs) {
      ProbeResult (*probe)(Direction, Bytes) = midstream ? s->midstream_probe : s->probe;
      if (!probe) continue;
      bool hinted = std::find(s->hint_ports.begin(), s->hint_ports.end(), f.sport) != s->hint_ports.end() ||
                    std::find(s->hint_ports.begin(), s->hint_ports.end(), f.dport) != s->hint_ports.end();
      if (hinted != (pass == 0)) continue;
      switch (probe(static_cast<Direction>(dir), data)) {
        case ProbeResult::kMatch:
          match = s;
          return ProbeOutcome::kMatch;
        case ProbeResult::kNeedMore:
          need_more = true;
          break;
        case ProbeResult::kNoMatch:
          break;
      }
    }
  }
  return need_more ? ProbeOutcome::kNeedMore : ProbeOutcome::kNoMatch;
}

}  // namespace

void FlowEngine::flow_anomaly(Flow* f, const char* type, const char* reason) {
  uint32_t bit = 1u << (hash_bytes(&reason, sizeof reason, 0) & 31);
  ++stats_.anomalies;
  if (f->anomaly_bits & bit) return;  // once per flow and reason
  f->anomaly_bits |= bit;
  EventBuilder b(envelope_of(*f, now_), "anomaly");
  JsonWriter& w = b.w();
  if (f->app) w.kv("app_proto", f->app->name);
  w.key("anomaly").begin_object();
  w.kv("type", type);
  w.kv("event", reason);
  w.end_object();
  sink_.emit(b.finish());
}

void FlowEngine::app_none(Flow* f) {
  if (f->app_state == AppState::kProbing) ++stats_.app_unknown;
  f->app_state = AppState::kNone;
  for (int d = 0; d < 2; ++d) {
    f->stream[d].disable();
    f->pending[d].clear();
    f->pending[d].shrink_to_fit();
  }
}

void FlowEngine::app_data(Flow* f, int dir, Bytes data) {
  if (f->app_state == AppState::kActive) {
    app_feed(f, dir, data);
    return;
  }
  if (f->app_state != AppState::kProbing || f->probe_failed[dir]) return;
  const bool udp = f->proto == kProtoUdp;
  const auto& specs = udp ? udp_specs_ : tcp_specs_;
  std::vector<uint8_t>& pend = f->pending[dir];
  const bool midstream = !udp && f->midstream && tcp_midstream_probes_;
  const size_t limit = midstream ? std::max(cfg_.probe_bytes, cfg_.midstream_probe_bytes) : cfg_.probe_bytes;
  Bytes probe = data;
  size_t appended = 0;  // bytes of `data` copied into the probe buffer
  if (!udp && !pend.empty()) {
    appended = std::min<size_t>(data.size(), limit - std::min<size_t>(pend.size(), limit));
    pend.insert(pend.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(appended));
    probe = Bytes(pend);
  }
  const DissectorSpec* match = nullptr;
  ProbeOutcome r = run_probes(specs, *f, dir, probe, match);
  if (r == ProbeOutcome::kNoMatch && midstream) r = run_probes(specs, *f, dir, probe, match, true);
  if (r == ProbeOutcome::kMatch) {
    ++stats_.app_matched;
    f->app = match;
    f->dissector = match->make();
    f->app_state = AppState::kActive;
    // Feed what each direction buffered while probing, then this data.
    std::vector<uint8_t> mine;
    mine.swap(pend);
    std::vector<uint8_t> other;
    other.swap(f->pending[1 - dir]);
    if (!other.empty()) app_feed(f, 1 - dir, Bytes(other));
    if (mine.empty()) {
      if (f->app_state == AppState::kActive) app_feed(f, dir, data);
    } else {
      if (f->app_state == AppState::kActive) app_feed(f, dir, Bytes(mine));
      if (f->app_state == AppState::kActive && appended < data.size()) app_feed(f, dir, data.subspan(appended));
    }
    return;
  }
  bool give_up = r == ProbeOutcome::kNoMatch;
  if (udp) {
    give_up = give_up || ++f->probe_datagrams >= cfg_.probe_datagrams;
  } else if (!give_up) {
    if (pend.empty()) pend.assign(data.begin(), data.begin() + std::min<size_t>(data.size(), limit));
    give_up = pend.size() >= limit;
  }
  if (give_up) {
    f->probe_failed[dir] = true;
    pend.clear();
    if (udp || f->probe_failed[1 - dir]) app_none(f);
  }
}

void FlowEngine::app_feed(Flow* f, int dir, Bytes data) {
  Driver ctx(this, f, dir);
  std::vector<uint8_t>& pend = f->pending[dir];
  const bool udp = f->proto == kProtoUdp;
  Bytes input = data;
  if (!pend.empty()) {
    if (pend.size() + data.size() > cfg_.max_app_buffer) {
      flow_anomaly(f, "applayer", "app.buffer_limit");
      ++stats_.app_errors;
      app_none(f);
      return;
    }
    pend.insert(pend.end(), data.begin(), data.end());
    if (pend.size() < f->needed[dir]) return;
    input = Bytes(pend);
  }
  AppResult r = f->dissector->on_data(static_cast<Direction>(dir), input, ctx);
  if (f->app_state != AppState::kActive) return;
  switch (r.kind) {
    case AppResult::kOk:
      pend.clear();
      f->needed[dir] = 0;
      return;
    case AppResult::kIncomplete: {
      if (udp) {
        pend.clear();
        return;
      }
      size_t consumed = std::min<size_t>(r.consumed, input.size());
      size_t rest = input.size() - consumed;
      if (r.needed > cfg_.max_app_buffer) {
        flow_anomaly(f, "applayer", "app.unit_too_large");
        ++stats_.app_errors;
        app_none(f);
        return;
      }
      // A dissector must ask for more than it has, or it would never progress.
      f->needed[dir] = std::max<uint32_t>(r.needed, static_cast<uint32_t>(rest) + 1);
      if (input.data() == pend.data()) {
        pend.erase(pend.begin(), pend.begin() + static_cast<std::ptrdiff_t>(consumed));
      } else {
        pend.assign(input.begin() + static_cast<std::ptrdiff_t>(consumed), input.end());
      }
      return;
    }
    case AppResult::kError:
      flow_anomaly(f, "applayer", r.error ? r.error : "app.parse_error");
      ++stats_.app_errors;
      app_none(f);
      return;
  }
}

void FlowEngine::app_gap(Flow* f, int dir, uint64_t len) {
  if (f->app_state == AppState::kProbing) {
    f->probe_failed[dir] = true;
    f->pending[dir].clear();
    if (f->probe_failed[1 - dir]) app_none(f);
    return;
  }
  if (f->app_state != AppState::kActive) return;
  f->pending[dir].clear();
  f->needed[dir] = 0;
  Driver ctx(this, f, dir);
  f->dissector->on_gap(static_cast<Direction>(dir), len, ctx);
}

void FlowEngine::app_end(Flow* f) {
  if (f->app_state == AppState::kNone) return;
  // What a dissector emits now is dated at the flow's last packet, not at
  // whatever packet of another flow made this one time out: the events do
  // not depend on how flows are spread over workers.
  TimeNs saved = now_;
  now_ = f->last_ts;
  struct Restore {
    TimeNs& t;
    TimeNs v;
    ~Restore() { t = v; }
  } restore{now_, saved};
  for (int d = 0; d < 2; ++d) {
    Driver ctx(this, f, d);
    f->stream[d].flush(limits_for(*f), ctx);
  }
  if (f->app_state == AppState::kActive) {
    Driver ctx(this, f, 0);
    f->dissector->on_end(ctx);
  } else if (f->app_state == AppState::kProbing) {
    ++stats_.app_unknown;
  }
  f->app_state = AppState::kNone;
}

}  // namespace ms
