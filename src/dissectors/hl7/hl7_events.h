// The `hl7` event as a struct (ARCHITECTURE.md "events"): one HL7 v2 message,
// with its acknowledgement when one came. The inventory observer and the
// detection rules read these members; hl7_log.cc writes them as JSON (the
// only code that knows the keys). Patient fields hold tokens, never values.
#pragma once

#include <string>
#include <vector>

#include "dissectors/hl7/hl7_parser.h"
#include "events/event.h"

namespace ms::hl7 {

// The acknowledgement that answered a message (HL7 v2.5 §2.9 MSA).
struct AckAnswer {
  std::string code;  // MSA-1: AA, AE, AR, CA, CE, CR
  double latency_ms = 0;
  bool error = false;      // an ERR segment came with it
  std::string error_code;  // ERR-3 (or ERR-1.4)
};

struct Hl7Event : TypedEvent {
  bool mllp = true;  // framing: MLLP, else raw
  std::string carried_in;  // "http", "smb": the message was another protocol's payload (hl7_embedded.h)
  std::string message_type, trigger_event, structure;  // MSH-9 components
  std::string control_id, processing_id, version;      // MSH-10, 11, 12
  std::string sending_application, sending_facility, receiving_application, receiving_facility;
  std::vector<std::string> segments;  // each segment id once, in order of appearance
  uint64_t segment_count = 0;
  bool batch = false;
  // This message is itself an acknowledgement when ack_code is set.
  std::string ack_code, acknowledges, error_code;
  bool error = false;
  // For any other message: its acknowledgement, if one came.
  bool answered = false;
  AckAnswer ack;
  bool phi = false;  // a patient identity was in the message
  std::vector<std::string> patient_ids;  // tokens
  std::string patient_name, patient_birth_date;  // tokens
  std::vector<std::string> equipment;  // OBX-18, PRT-10, PRT-16
  std::vector<Message::Software> software;  // SFT: the sending application's vendor, version, product

  bool is_ack() const { return !ack_code.empty(); }
  void write_json(JsonWriter& w) const;
};

// accepted, error, rejected or unknown (HL7 v2.5 Table 0008).
const char* ack_status(const std::string& code);

}  // namespace ms::hl7
