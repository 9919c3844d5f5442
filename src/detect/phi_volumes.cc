// Patient data carried without TLS, with its volumes (phi_volumes.h).
#include "detect/phi_volumes.h"

#include <algorithm>

#include "common/find.h"
#include "detect/fields.h"

namespace ms::detect {

Candidate* PhiVolumes::add(const Event& e, std::string_view protocol, Context& ctx) {
  if (crossing_only_ && ctx.cfg.is_internal(e.src_ip) == ctx.cfg.is_internal(e.dest_ip)) return nullptr;
  return &cands_.add(rule_, e.src_ip, e.dest_ip, protocol, e, ctx.flows);
}

// HL7 is the bulk of a clinical network's events: read without building a
// DOM. The writer escapes every quote inside a string, so `"key":"` only
// occurs as a key; a value with an escape is left out.
void PhiVolumes::take_hl7(const Event& e, Context& ctx) {
  if (!contains_text(e.json, "\"phi\":true")) return;
  Candidate* c = add(e, "hl7", ctx);
  if (!c) return;
  c->counters["messages"] += 1;
  std::string_view mt = raw_string(e.json, "message_type"), tr = raw_string(e.json, "trigger_event");
  add_list(*c, "message_types", tr.empty() || mt.empty() ? std::string(mt) : std::string(mt) + "^" + std::string(tr));
  add_list(*c, "sending_applications", raw_string(e.json, "sending_application"));
  add_list(*c, "receiving_applications", raw_string(e.json, "receiving_application"));
}

void PhiVolumes::take(const Input& in, Context& ctx) {
  const Event& e = in.event();
  const std::string_view t = e.event_type;
  if (t == "hl7") return take_hl7(e, ctx);
  if (t == "ftp") return channels_.take(in, ctx);
  const JsonValue* o = in.object();
  if (!o || !truthy(o, "phi")) return;
  if (t == "dicom") {
    Candidate* c = add(e, "dicom", ctx);
    if (!c) return;
    c->counters["associations"] += 1;
    c->counters["patients"] += static_cast<uint64_t>(std::max<int64_t>(0, num(o, "patient_count", 0)));
    c->counters["dataset_bytes"] += static_cast<uint64_t>(std::max<int64_t>(0, num(o, "dataset_bytes", 0)));
    add_list(*c, "calling_ae_titles", str(o, "calling_ae"));
    add_list(*c, "called_ae_titles", str(o, "called_ae"));
  } else if (t == "dicom_file") {
    std::string_view transport = str(o, "transport");
    std::string protocol = transport.empty() || transport == "dimse" ? "dicom" : std::string(transport);
    Candidate* c = add(e, protocol, ctx);
    if (!c) return;
    c->counters["files"] += 1;
    // A file that was a whole TCP connection: named "ftp" at the end if an
    // FTP control channel announced that connection.
    if (protocol == "tcp") add_list(*c, "data_connections", e.dest_ip + ' ' + std::to_string(e.dest_port));
  } else if (t == "fhir") {
    Candidate* c = add(e, "fhir", ctx);
    if (!c) return;
    c->counters["interactions"] += 1;
    add_list(*c, "resource_types", str(o, "resource_type"));
    add_list(*c, "interactions", str(o, "interaction"));
  }
}

Candidates& PhiVolumes::judged() {
  channels_.join(cands_);
  return cands_;
}

}  // namespace ms::detect
