// HL7 v2 messages carried inside another protocol's payload (issue 15): an
// HTTP POST whose body is MSH...PID, sent to a cloud "integration" endpoint
// on any port. The carrier's dissector hands its body here; each message
// becomes an `hl7` event of the carrier's flow (with `carried_in`), so
// patient data in it reaches phi_cleartext and phi_exfiltration like HL7 on
// MLLP does.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "dissectors/dissector.h"
#include "dissectors/hl7/hl7_events.h"
#include "dissectors/hl7/hl7_parser.h"

namespace ms::hl7 {

// At most this many messages are read from one body.
constexpr size_t kMaxEmbeddedMessages = 16;

// The messages of `body` (sent by the flow's client) when it starts, after
// blanks or an MLLP start byte, with "MSH" and a field separator; returns
// how many were emitted. Patient values become tokens here.
size_t emit_embedded(AppContext& ctx, Bytes body, std::string_view carrier);

// Moves a parsed message's fields into its event (shared with the MLLP
// dissector); patient values are the caller's (tokens only).
void fill_event(Hl7Event& ev, Message& m);

}  // namespace ms::hl7
