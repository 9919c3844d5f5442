// The HL7 v2 dissector: MLLP-framed (0x0B ... 0x1C 0x0D, HL7 v2.5 Appendix C)
// or raw messages over TCP, on any port, recognised by the MSH segment. Each
// message becomes an `hl7` event, written when its acknowledgement arrives
// (with code and latency) or when the flow ends without one. Patient
// identifiers leave only as tokens.
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "common/find.h"
#include "dissectors/dissector.h"
#include "dissectors/hl7/hl7_parser.h"

namespace ms::hl7 {

namespace {

constexpr size_t kMaxPending = 1024;

struct Pending {
  Message msg;
  std::vector<std::string> patients;  // tokens
  std::string name, birth;            // tokens
  Envelope env;
  TimeNs ts = 0;
  bool mllp = true;
};

// The next "MSH" that starts a segment, at or after `from`: where a message
// begins (in a raw stream, or inside a batch).
size_t next_msh(std::string_view text, size_t from) {
  for (size_t p = find_text(text, "MSH", from); p != std::string_view::npos; p = find_text(text, "MSH", p + 1)) {
    if (p == 0 || text[p - 1] == '\r' || text[p - 1] == '\n') return p;
  }
  return std::string_view::npos;
}

const char* ack_status(const std::string& code) {
  if (code == "AA" || code == "CA") return "accepted";
  if (code == "AE" || code == "CE") return "error";
  if (code == "AR" || code == "CR") return "rejected";
  return "unknown";
}

class Hl7Dissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override;
  void on_gap(Direction dir, uint64_t, AppContext& ctx) override {
    int i = static_cast<int>(dir);
    raw_[i].clear();
    (void)ctx;
  }
  void on_end(AppContext& ctx) override;

 private:
  void handle(int dir, Bytes msg, bool mllp, AppContext& ctx);
  void handle_one(int dir, Bytes msg, bool mllp, AppContext& ctx);
  void emit(const Pending& p, const Message* ack, TimeNs ack_ts, AppContext& ctx);
  void process_raw(int dir, bool at_end, AppContext& ctx);

  int mode_[2] = {0, 0};  // 0 unknown, 1 MLLP, 2 raw
  std::vector<uint8_t> raw_[2];
  std::map<std::string, Pending> pending_;  // by control id
  std::deque<std::string> order_;
};

AppResult Hl7Dissector::on_data(Direction direction, Bytes d, AppContext& ctx) {
  const int dir = static_cast<int>(direction);
  if (mode_[dir] == 0) {
    switch (plausible_start(d)) {
      case Start::kMllp: mode_[dir] = 1; break;
      case Start::kRaw: mode_[dir] = 2; break;
      case Start::kNeedMore: return AppResult::incomplete(0, static_cast<uint32_t>(d.size() + 1));
      default: return AppResult::fail("hl7.not_hl7");
    }
  }
  if (mode_[dir] == 2) {
    if (raw_[dir].size() + d.size() > kMaxMessage) return AppResult::fail("hl7.message_too_long");
    raw_[dir].insert(raw_[dir].end(), d.begin(), d.end());
    process_raw(dir, false, ctx);
    return AppResult::ok();
  }
  size_t pos = 0;
  while (pos < d.size()) {
    if (d[pos] != 0x0B) {
      // Between frames only line ends belong; anything else is skipped.
      if (d[pos] != '\r' && d[pos] != '\n') ctx.anomaly("hl7.bytes_outside_frame");
      ++pos;
      continue;
    }
    size_t end = pos + 1;
    while (end < d.size() && d[end] != 0x1C) ++end;
    if (end >= d.size()) {
      if (d.size() - pos > kMaxMessage) return AppResult::fail("hl7.message_too_long");
      return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(d.size() - pos + 1));
    }
    handle(dir, d.subspan(pos + 1, end - pos - 1), true, ctx);
    pos = end + 1;
    if (pos < d.size() && d[pos] == 0x0D) ++pos;
  }
  return AppResult::ok();
}

void Hl7Dissector::process_raw(int dir, bool at_end, AppContext& ctx) {
  std::vector<uint8_t>& b = raw_[dir];
  std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
  size_t start = 0;
  for (;;) {
    // A message runs until the next MSH at the start of a segment.
    size_t next = next_msh(text, start + 3);
    if (next == std::string_view::npos) {
      if (at_end && start < text.size()) handle(dir, Bytes(b).subspan(start), false, ctx);
      b.erase(b.begin(), b.begin() + static_cast<long>(at_end ? b.size() : start));
      return;
    }
    handle(dir, Bytes(b).subspan(start, next - start), false, ctx);
    start = next;
  }
}

void Hl7Dissector::handle(int dir, Bytes bytes, bool mllp, AppContext& ctx) {
  // A batch (FHS/BHS ... BTS/FTS, HL7 v2.5 §2.10.3) carries several messages
  // in one frame: each MSH at the start of a segment begins one of them.
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t first = next_msh(text, 0);
  if (first != std::string_view::npos) {
    for (size_t p = next_msh(text, first + 3); p != std::string_view::npos; p = next_msh(text, 3)) {
      handle_one(dir, bytes.first(p), mllp, ctx);
      bytes = bytes.subspan(p);
      text = text.substr(p);
    }
  }
  handle_one(dir, bytes, mllp, ctx);
}

void Hl7Dissector::handle_one(int dir, Bytes bytes, bool mllp, AppContext& ctx) {
  (void)dir;
  Message m;
  if (const char* err = parse_message(bytes, m)) {
    ctx.anomaly(err);
    return;
  }
  Pending p;
  p.mllp = mllp;
  p.env = ctx.envelope();
  p.ts = ctx.now();
  for (const auto& id : m.patient_ids) p.patients.push_back(ctx.phi("id", id));
  p.name = ctx.phi("name", m.patient_name);
  p.birth = ctx.phi("birth_date", m.birth_date);
  // Raw identifiers go no further than this function.
  m.patient_ids.clear();
  m.patient_name.clear();
  m.birth_date.clear();
  p.msg = std::move(m);
  const Message& msg = p.msg;
  if (!msg.ack_code.empty()) {
    // An acknowledgement: report the message it answers, then itself.
    auto it = pending_.find(msg.acked_control_id);
    if (it != pending_.end()) {
      emit(it->second, &msg, p.ts, ctx);
      pending_.erase(it);
    }
    emit(p, nullptr, 0, ctx);
    return;
  }
  if (pending_.size() >= kMaxPending && !order_.empty()) {
    auto old = pending_.find(order_.front());
    if (old != pending_.end()) {
      emit(old->second, nullptr, 0, ctx);
      pending_.erase(old);
    }
    order_.pop_front();
  }
  std::string id = msg.control_id;
  if (pending_.count(id)) {  // a repeated control id: report the first now
    emit(pending_[id], nullptr, 0, ctx);
    pending_.erase(id);
  }
  order_.push_back(id);
  pending_.emplace(id, std::move(p));
}

void Hl7Dissector::emit(const Pending& p, const Message* ack, TimeNs ack_ts, AppContext& ctx) {
  Envelope env = p.env;
  env.ts = p.ts;
  EventBuilder b(env, "hl7");
  JsonWriter& w = b.w();
  const Message& m = p.msg;
  auto opt = [&w](const char* k, const std::string& v) {
    if (!v.empty()) w.kv(k, v);
  };
  w.key("hl7").begin_object();
  w.kv("framing", p.mllp ? "mllp" : "raw");
  opt("message_type", m.message_type);
  opt("trigger_event", m.trigger_event);
  opt("structure", m.structure);
  opt("control_id", m.control_id);
  opt("processing_id", m.processing_id);
  opt("version", m.version);
  opt("sending_application", m.sending_app);
  opt("sending_facility", m.sending_facility);
  opt("receiving_application", m.receiving_app);
  opt("receiving_facility", m.receiving_facility);
  w.key("segments").begin_array();
  for (size_t i = 0; i < m.segments.size(); ++i) {  // each id once, in order of appearance
    bool dup = false;
    for (size_t j = 0; j < i && !dup; ++j) dup = m.segments[j] == m.segments[i];
    if (!dup) w.value(m.segments[i]);
  }
  w.end_array();
  w.kv("segment_count", static_cast<uint64_t>(m.segment_count));
  if (m.batch) w.kv("batch", true);
  if (!m.ack_code.empty()) {
    // This message is itself an acknowledgement.
    w.kv("ack_code", m.ack_code);
    w.kv("ack_status", ack_status(m.ack_code));
    opt("acknowledges", m.acked_control_id);
    if (m.has_err) w.kv("error", true);
    opt("error_code", m.err_code);
  } else if (ack) {
    w.key("ack").begin_object();
    w.kv("code", ack->ack_code);
    w.kv("status", ack_status(ack->ack_code));
    w.kv("latency_ms", static_cast<double>(ack_ts > p.ts ? ack_ts - p.ts : 0) / 1e6);
    if (ack->has_err) w.kv("error", true);
    if (!ack->err_code.empty()) w.kv("error_code", ack->err_code);
    w.end_object();
  } else {
    w.key("ack").begin_object().kv("status", "none").end_object();
  }
  bool phi = !p.patients.empty() || !p.name.empty() || !p.birth.empty();
  w.kv("phi", phi);
  if (!p.patients.empty()) {
    w.key("patient_ids").begin_array();
    for (const auto& t : p.patients) w.value(t);
    w.end_array();
  }
  opt("patient_name", p.name);
  opt("patient_birth_date", p.birth);
  if (!m.equipment.empty()) {
    w.key("equipment").begin_array();
    for (const auto& e : m.equipment) w.value(e);
    w.end_array();
  }
  w.end_object();
  ctx.emit(b.finish());
}

void Hl7Dissector::on_end(AppContext& ctx) {
  for (int d = 0; d < 2; ++d) {
    if (mode_[d] == 2) process_raw(d, true, ctx);
  }
  for (const auto& id : order_) {
    auto it = pending_.find(id);
    if (it != pending_.end()) {
      emit(it->second, nullptr, 0, ctx);
      pending_.erase(it);
    }
  }
  order_.clear();
}

ProbeResult probe_hl7(Direction, Bytes d) {
  switch (plausible_start(d)) {
    case Start::kMllp:
    case Start::kRaw: return ProbeResult::kMatch;
    case Start::kNeedMore: return ProbeResult::kNeedMore;
    default: return ProbeResult::kNoMatch;
  }
}

}  // namespace

MS_REGISTER_DISSECTOR(hl7, DissectorSpec{"hl7", kTransportTcp, {2575, 6661, 5000}, probe_hl7,
                                         [] { return std::unique_ptr<Dissector>(new Hl7Dissector); }, kUnlimitedDepth});

}  // namespace ms::hl7
