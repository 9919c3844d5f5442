// HL7 v2 message parsing (HL7 v2.5 chapter 2: message construction): pure,
// span in, struct out. The message's own delimiters (MSH-1, MSH-2) are used;
// escape sequences (§2.7) are decoded in the values we keep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::hl7 {

constexpr size_t kMaxSegments = 1024;
constexpr size_t kMaxMessage = 1u << 20;

struct Delimiters {
  char field = '|', component = '^', repetition = '~', escape = '\\', subcomponent = '&';
};

struct Message {
  Delimiters delim;
  std::string sending_app, sending_facility, receiving_app, receiving_facility;
  std::string message_type, trigger_event, structure;  // MSH-9 components
  std::string control_id, processing_id, version;      // MSH-10, 11, 12
  std::vector<std::string> segments;                   // ids in order (capped)
  size_t segment_count = 0;
  // Acknowledgement (MSA): code and the control id it acknowledges.
  std::string ack_code, acked_control_id;
  bool has_err = false;
  std::string err_code;  // ERR-3 (v2.5) or ERR-1 component 4 (older)
  // Patient identity (PID): raw values, for the caller to turn into tokens.
  std::vector<std::string> patient_ids;  // PID-3 repetitions, ID component only
  std::string patient_name;              // PID-5 first repetition
  std::string birth_date;                // PID-7
  // Devices: OBX-18 equipment instance identifiers, PRT-10 participation
  // devices and PRT-16 UDI (v2.7+).
  std::vector<std::string> equipment;
  // Software segments (SFT, HL7 v2.5 §2.15.12): the sending application's
  // vendor (SFT-1), version (SFT-2) and product name (SFT-3); at most 4.
  struct Software {
    std::string vendor, version, product;
  };
  std::vector<Software> software;
  // Batch and file wrappers (FHS/BHS ... BTS/FTS) present.
  bool batch = false;
};

// Parses one message (segments separated by CR, optionally LF). Returns
// nullptr or an anomaly reason ("hl7.no_msh", "hl7.bad_encoding_characters").
const char* parse_message(Bytes msg, Message& out);

// Decodes HL7 escape sequences (\F\ \S\ \T\ \R\ \E\ \Xhh..\); others dropped.
std::string unescape(std::string_view v, const Delimiters& d);

// Could these bytes start an HL7 stream: MLLP (0x0B then MSH) or raw MSH?
enum class Start { kMllp, kRaw, kNo, kNeedMore };
Start plausible_start(Bytes b);

}  // namespace ms::hl7
