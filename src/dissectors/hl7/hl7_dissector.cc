// The HL7 v2 dissector: MLLP-framed (0x0B ... 0x1C 0x0D, HL7 v2.5 Appendix C)
// or raw messages over TCP, on any port, recognised by the MSH segment. Each
// message becomes an `hl7` event, written when its acknowledgement arrives
// (with code and latency) or when the flow ends without one. Patient
// identifiers leave only as tokens.
#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "common/find.h"
#include "dissectors/dissector.h"
#include "dissectors/hl7/hl7_embedded.h"
#include "dissectors/hl7/hl7_events.h"
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
  void emit(Pending& p, const Message* ack, TimeNs ack_ts, AppContext& ctx);
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

// Moves the message out of `p` (the caller drops it next) into its event.
void Hl7Dissector::emit(Pending& p, const Message* ack, TimeNs ack_ts, AppContext& ctx) {
  Envelope env = p.env;
  env.ts = p.ts;
  auto ev = std::make_unique<Hl7Event>();
  Message& m = p.msg;
  ev->mllp = p.mllp;
  fill_event(*ev, m);
  if (!ev->is_ack() && ack) {  // an acknowledgement is reported by itself
    ev->answered = true;
    ev->ack.code = ack->ack_code;
    ev->ack.latency_ms = static_cast<double>(ack_ts > p.ts ? ack_ts - p.ts : 0) / 1e6;
    ev->ack.error = ack->has_err;
    ev->ack.error_code = ack->err_code;
  }
  ev->phi = !p.patients.empty() || !p.name.empty() || !p.birth.empty();
  ev->patient_ids = std::move(p.patients);
  ev->patient_name = std::move(p.name);
  ev->patient_birth_date = std::move(p.birth);
  ctx.emit(make_event(env, "hl7", std::move(ev)));
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
