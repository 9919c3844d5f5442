// HL7 v2 messages in other protocols' payloads (hl7_embedded.h).
#include "dissectors/hl7/hl7_embedded.h"

#include <algorithm>
#include <memory>

namespace ms::hl7 {

namespace {

// "MSH" at the start of a segment (HL7 v2.5 §2.5: segments end in CR; LF
// tolerated), from `from` on.
size_t next_segment_msh(std::string_view text, size_t from) {
  for (size_t p = text.find("MSH", from); p != std::string_view::npos; p = text.find("MSH", p + 1)) {
    if (p == 0 || text[p - 1] == '\r' || text[p - 1] == '\n') return p;
  }
  return std::string_view::npos;
}

void emit_one(AppContext& ctx, Bytes msg, std::string_view carrier) {
  Message m;
  if (parse_message(msg, m) != nullptr) return;  // not HL7 after all: the carrier's bytes
  auto ev = std::make_unique<Hl7Event>();
  ev->mllp = false;
  ev->carried_in = carrier;
  for (const auto& id : m.patient_ids) ev->patient_ids.push_back(ctx.phi("id", id));
  ev->patient_name = ctx.phi("name", m.patient_name);
  ev->patient_birth_date = ctx.phi("birth_date", m.birth_date);
  ev->phi = !ev->patient_ids.empty() || !ev->patient_name.empty() || !ev->patient_birth_date.empty();
  // Raw identifiers go no further than this function.
  m.patient_ids.clear();
  m.patient_name.clear();
  m.birth_date.clear();
  fill_event(*ev, m);
  ctx.emit(make_event(ctx.envelope(), "hl7", std::move(ev)));
}

}  // namespace

void fill_event(Hl7Event& ev, Message& m) {
  ev.message_type = std::move(m.message_type);
  ev.trigger_event = std::move(m.trigger_event);
  ev.structure = std::move(m.structure);
  ev.control_id = std::move(m.control_id);
  ev.processing_id = std::move(m.processing_id);
  ev.version = std::move(m.version);
  ev.sending_application = std::move(m.sending_app);
  ev.sending_facility = std::move(m.sending_facility);
  ev.receiving_application = std::move(m.receiving_app);
  ev.receiving_facility = std::move(m.receiving_facility);
  for (std::string& id : m.segments) {  // each id once, in order of appearance
    if (std::find(ev.segments.begin(), ev.segments.end(), id) == ev.segments.end()) ev.segments.push_back(std::move(id));
  }
  ev.segment_count = m.segment_count;
  ev.batch = m.batch;
  if (!m.ack_code.empty()) {  // this message is itself an acknowledgement
    ev.ack_code = std::move(m.ack_code);
    ev.acknowledges = std::move(m.acked_control_id);
    ev.error = m.has_err;
    ev.error_code = std::move(m.err_code);
  }
  ev.equipment = std::move(m.equipment);
  ev.software = std::move(m.software);
}

size_t emit_embedded(AppContext& ctx, Bytes body, std::string_view carrier) {
  size_t skip = 0;
  while (skip < body.size() && skip < 64 && (body[skip] == 0x0b || body[skip] == ' ' || body[skip] == '\r' ||
                                             body[skip] == '\n' || body[skip] == '\t')) {
    ++skip;
  }
  body = body.subspan(skip);
  // MSH, then the field separator (MSH-1) and four encoding characters.
  if (body.size() < 8 || body[0] != 'M' || body[1] != 'S' || body[2] != 'H') return 0;
  std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
  size_t n = 0, start = 0;
  while (start != std::string_view::npos && n < kMaxEmbeddedMessages) {
    size_t next = next_segment_msh(text, start + 3);
    size_t end = next == std::string_view::npos ? text.size() : next;
    Bytes msg = body.subspan(start, end - start);
    // An MLLP end block (0x1C 0x0D) or a multipart tail is no segment.
    while (!msg.empty() && (msg.back() == 0x1c || msg.back() == '\r' || msg.back() == '\n')) msg = msg.first(msg.size() - 1);
    emit_one(ctx, msg, carrier);
    ++n;
    start = next;
  }
  return n;
}

}  // namespace ms::hl7
