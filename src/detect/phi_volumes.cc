// Patient data carried without TLS, with its volumes (phi_volumes.h).
#include "detect/phi_volumes.h"

#include "common/json_read_back.h"
#include "detect/fields.h"
#include "dissectors/dicom/dicom_events.h"
#include "dissectors/fhir/fhir_events.h"
#include "dissectors/hl7/hl7_events.h"

namespace ms::detect {

Candidate* PhiVolumes::add(const Event& e, std::string_view protocol, Context& ctx) {
  if (crossing_only_ && ctx.cfg.is_internal(e.src_ip) == ctx.cfg.is_internal(e.dest_ip)) return nullptr;
  return &cands_.add(rule_, e.src_ip, e.dest_ip, protocol, e, ctx.flows);
}

// HL7 is the bulk of a clinical network's events: its struct is read
// directly. A value the JSON line escapes (a quote, a backslash, a control
// byte, bytes not UTF-8) is left out, as when this read the line unparsed.
void PhiVolumes::take_hl7(const Event& e, Context& ctx) {
  const hl7::Hl7Event* h = e.as<hl7::Hl7Event>();
  if (!h || !h->phi) return;
  // HL7 inside another protocol's payload is judged on that protocol's flow
  // (as DICOM files over HTTP are), with the payload's kind in the evidence.
  Candidate* c = add(e, h->carried_in.empty() ? "hl7" : std::string_view(h->carried_in), ctx);
  if (!c) return;
  c->counters["messages"] += 1;
  if (!h->carried_in.empty()) add_list(*c, "payloads", "hl7");
  auto plain = [](const std::string& v) { return json_verbatim(v) ? std::string_view(v) : std::string_view(); };
  std::string_view mt = plain(h->message_type), tr = plain(h->trigger_event);
  add_list(*c, "message_types", tr.empty() || mt.empty() ? std::string(mt) : std::string(mt) + "^" + std::string(tr));
  add_list(*c, "sending_applications", plain(h->sending_application));
  add_list(*c, "receiving_applications", plain(h->receiving_application));
}

// DICOM and FHIR values are read as the JSON line reads them back
// (json_writer.h), as when they were parsed from it.
void PhiVolumes::take_dicom(const Event& e, Context& ctx) {
  const dicom::DicomEvent* d = e.as<dicom::DicomEvent>();
  if (!d || !d->phi()) return;
  Candidate* c = add(e, "dicom", ctx);
  if (!c) return;
  c->counters["associations"] += 1;
  c->counters["patients"] += d->patients.size();
  c->counters["dataset_bytes"] += d->dataset_bytes;
  add_list(*c, "calling_ae_titles", json_read_back(d->calling_ae()));
  add_list(*c, "called_ae_titles", json_read_back(d->called_ae()));
}

void PhiVolumes::take_dicom_file(const Event& e, Context& ctx) {
  const dicom::DicomFileEvent* d = e.as<dicom::DicomFileEvent>();
  if (!d || !d->phi) return;
  const std::string& transport = d->transport;
  std::string protocol = transport.empty() || transport == "dimse" ? "dicom" : json_read_back(transport);
  Candidate* c = add(e, protocol, ctx);
  if (!c) return;
  c->counters["files"] += 1;
  // A file that was a whole TCP connection: named "ftp" at the end if an
  // FTP control channel announced that connection.
  if (protocol == "tcp") add_list(*c, "data_connections", e.dest_ip + ' ' + std::to_string(e.dest_port));
}

void PhiVolumes::take_fhir(const Event& e, Context& ctx) {
  const fhir::FhirEvent* f = e.as<fhir::FhirEvent>();
  if (!f || !f->phi) return;
  Candidate* c = add(e, "fhir", ctx);
  if (!c) return;
  c->counters["interactions"] += 1;
  add_list(*c, "resource_types", json_read_back(f->resource_type));
  add_list(*c, "interactions", json_read_back(f->interaction));
}

void PhiVolumes::take(const Input& in, Context& ctx) {
  const Event& e = in.event();
  const std::string_view t = e.event_type;
  if (t == "hl7") return take_hl7(e, ctx);
  if (t == "ftp") return channels_.take(in, ctx);
  if (t == "dicom") return take_dicom(e, ctx);
  if (t == "dicom_file") return take_dicom_file(e, ctx);
  if (t == "fhir") return take_fhir(e, ctx);
}

Candidates& PhiVolumes::judged() {
  channels_.join(cands_);
  return cands_;
}

}  // namespace ms::detect
