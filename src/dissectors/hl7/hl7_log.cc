// The `hl7` event's JSON (src/dissectors/hl7/hl7.schema.json): the only code
// that knows its keys. Downstream stages read Hl7Event itself.
#include "dissectors/hl7/hl7_events.h"

namespace ms::hl7 {

const char* ack_status(const std::string& code) {
  if (code == "AA" || code == "CA") return "accepted";
  if (code == "AE" || code == "CE") return "error";
  if (code == "AR" || code == "CR") return "rejected";
  return "unknown";
}

void Hl7Event::write_json(JsonWriter& w) const {
  auto opt = [&w](JsonKey k, const std::string& v) {
    if (!v.empty()) w.kv(k, v);
  };
  auto list = [&w](JsonKey k, const std::vector<std::string>& v) {
    w.key(k).begin_array();
    for (const auto& x : v) w.value(x);
    w.end_array();
  };
  w.key("hl7").begin_object();
  w.kv("framing", mllp ? "mllp" : "raw");
  opt("carried_in", carried_in);
  opt("message_type", message_type);
  opt("trigger_event", trigger_event);
  opt("structure", structure);
  opt("control_id", control_id);
  opt("processing_id", processing_id);
  opt("version", version);
  opt("sending_application", sending_application);
  opt("sending_facility", sending_facility);
  opt("receiving_application", receiving_application);
  opt("receiving_facility", receiving_facility);
  list("segments", segments);
  w.kv("segment_count", segment_count);
  if (batch) w.kv("batch", true);
  if (!software.empty()) {
    w.key("software").begin_array();
    for (const Message::Software& s : software) {
      w.begin_object();
      opt("vendor", s.vendor);
      opt("product", s.product);
      opt("version", s.version);
      w.end_object();
    }
    w.end_array();
  }
  if (is_ack()) {
    w.kv("ack_code", ack_code);
    w.kv("ack_status", ack_status(ack_code));
    opt("acknowledges", acknowledges);
    if (error) w.kv("error", true);
    opt("error_code", error_code);
  } else if (answered) {
    w.key("ack").begin_object();
    w.kv("code", ack.code);
    w.kv("status", ack_status(ack.code));
    w.kv("latency_ms", ack.latency_ms);
    if (ack.error) w.kv("error", true);
    opt("error_code", ack.error_code);
    w.end_object();
  } else {
    w.key("ack").begin_object().kv("status", "none").end_object();
  }
  w.kv("phi", phi);
  if (!patient_ids.empty()) list("patient_ids", patient_ids);
  opt("patient_name", patient_name);
  opt("patient_birth_date", patient_birth_date);
  if (!equipment.empty()) list("equipment", equipment);
  w.end_object();
}

}  // namespace ms::hl7
