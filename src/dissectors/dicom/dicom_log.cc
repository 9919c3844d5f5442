// The DICOM events' JSON (src/dissectors/dicom/dicom.schema.json): the only
// code that knows their keys. Downstream stages read the structs of
// dicom_events.h.
#include <cstdio>

#include "dissectors/dicom/dicom_events.h"

namespace ms::dicom {

const char* DicomEvent::result() const {
  return have_ac ? "accepted" : have_rj ? "rejected" : have_rq ? "no_response" : "unknown";
}

void DicomEvent::write_associate(JsonWriter& w, const Associate& a, bool is_rq) const {
  if (is_rq) {
    if (!a.application_context.empty()) w.kv("application_context", a.application_context);
    w.kv("protocol_version", static_cast<unsigned>(a.protocol_version));
  }
  if (a.has_max_pdu) w.kv(is_rq ? "max_pdu_length" : "max_pdu_length_ac", static_cast<uint64_t>(a.max_pdu));
  const char* uid_key = is_rq ? "implementation_class_uid" : "implementation_class_uid_ac";
  const char* ver_key = is_rq ? "implementation_version" : "implementation_version_ac";
  if (!a.implementation_class_uid.empty()) w.kv(uid_key, a.implementation_class_uid);
  if (!a.implementation_version.empty()) w.kv(ver_key, a.implementation_version);
  if (!is_rq) return;
  if (a.has_user_identity) {
    static const char* kTypes[] = {"unknown", "username", "username_passcode", "kerberos", "saml", "jwt"};
    const UserIdentity& id = a.user_identity;
    w.key("user_identity").begin_object();
    w.kv("type", id.type <= 5 ? kTypes[id.type] : "unknown");
    if (!id.username.empty()) w.kv("username", id.username);
    // The passcode (or token) itself is never written out (issue 4).
    w.kv("secret_present", id.type == 2 ? id.secondary_length > 0 : id.type >= 3);
    w.kv("response_requested", id.response_requested);
    w.end_object();
  }
  if (a.has_async) {
    w.kv("async_ops_invoked", static_cast<unsigned>(a.async_invoked));
    w.kv("async_ops_performed", static_cast<unsigned>(a.async_performed));
  }
  if (!a.roles.empty()) {
    w.key("role_selection").begin_array();
    for (const auto& r : a.roles) {
      w.begin_object().kv("sop_class", r.sop_class).kv("scu", r.scu).kv("scp", r.scp).end_object();
    }
    w.end_array();
  }
  if (!a.extended_negotiation.empty()) {
    w.key("extended_negotiation").begin_array();
    for (const auto& u : a.extended_negotiation) w.value(u);
    w.end_array();
  }
}

// Proposed contexts (RQ) with their results (AC), matched by id.
void DicomEvent::write_contexts(JsonWriter& w) const {
  w.key("presentation_contexts").begin_array();
  const auto& list = have_rq ? rq.contexts : ac.contexts;
  for (const auto& pc : list) {
    w.begin_object();
    w.kv("id", static_cast<unsigned>(pc.id));
    if (!pc.abstract_syntax.empty()) {
      w.kv("abstract_syntax", pc.abstract_syntax);
      if (*uid_name(pc.abstract_syntax)) w.kv("abstract_syntax_name", uid_name(pc.abstract_syntax));
    }
    if (have_rq) {
      w.key("transfer_syntaxes").begin_array();
      for (const auto& ts : pc.transfer_syntaxes) w.value(ts);
      w.end_array();
    }
    if (have_ac) {
      for (const auto& acpc : ac.contexts) {
        if (acpc.id != pc.id) continue;
        w.kv("result", associate_result_name(acpc.result));
        if (acpc.result == 0 && !acpc.transfer_syntaxes.empty()) w.kv("accepted_transfer_syntax", acpc.transfer_syntaxes[0]);
        break;
      }
    }
    w.end_object();
  }
  w.end_array();
}

// PDUs, commands, statuses and what the commands moved.
void DicomEvent::write_counts(JsonWriter& w) const {
  w.key("pdus").begin_object();
  static const char* kPduNames[] = {"", "associate_rq", "associate_ac", "associate_rj", "p_data_tf",
                                    "release_rq", "release_rp", "abort"};
  for (int t = 1; t <= 7; ++t) {
    if (pdus[t]) w.kv(kPduNames[t], pdus[t]);
  }
  w.end_object();
  w.key("commands").begin_object();
  for (const auto& [name, n] : commands) w.kv(name, n);
  w.end_object();
  if (!statuses.empty()) {
    w.key("statuses").begin_object();
    for (const auto& [name, n] : statuses) w.kv(name, n);
    w.end_object();
  }
  if (stores) {
    w.kv("stores", stores);
    w.key("stored_sop_classes").begin_array();
    for (const auto& u : stored_sop_classes) w.value(*uid_name(u) ? uid_name(u) : u.c_str());
    w.end_array();
  }
  if (finds) {
    w.kv("finds", finds);
    w.kv("find_matches", find_matches);
  }
  if (moves) {
    w.kv("moves", moves);
    w.key("move_destinations").begin_array();
    for (const auto& m : move_destinations) w.value(m);
    w.end_array();
  }
  if (gets) w.kv("gets", gets);
}

void DicomEvent::write_json(JsonWriter& w) const {
  w.key("dicom").begin_object();
  if (have_rq || have_ac) {
    w.kv("calling_ae", calling_ae());
    w.kv("called_ae", called_ae());
  }
  w.kv("result", result());
  if (have_rq) write_associate(w, rq, true);
  if (have_ac) write_associate(w, ac, false);
  if (have_ac && ac.has_identity_response) w.kv("user_identity_accepted", true);
  if (have_rq || have_ac) write_contexts(w);
  if (have_rj) {
    w.key("reject").begin_object();
    w.kv("result", reject_result_name(reject.result));
    w.kv("source", reject_source_name(reject.source));
    w.kv("reason", reject_reason_name(reject.source, reject.reason));
    w.end_object();
  }
  w.kv("release", release_rp ? "completed" : release_rq ? "requested" : "none");
  if (have_abort) {
    w.key("abort").begin_object();
    w.kv("source", abort_source_name(abort.source));
    w.kv("reason", abort_reason_name(abort.reason));
    w.end_object();
  }
  write_counts(w);
  w.kv("dataset_bytes", dataset_bytes);
  if (!identity.empty()) {
    w.key("object_identity").begin_object();
    write_object(w, identity, false);
    w.end_object();
  }
  w.kv("phi", phi());
  if (phi()) {
    w.kv("patient_count", static_cast<uint64_t>(patients.size()));
    w.key("patients").begin_array();
    size_t n = 0;
    for (const auto& p : patients) {
      if (n++ >= kMaxListed) break;
      w.value(p);
    }
    w.end_array();
  }
  if (datasets_not_parsed) w.kv("datasets_not_parsed", datasets_not_parsed);
  if (gaps) w.kv("gaps", gaps);
  if (picked_up_midstream) w.kv("picked_up_midstream", true);
  w.end_object();
}

void DicomCommandEvent::write_json(JsonWriter& w) const {
  w.key("dicom_command").begin_object();
  w.kv("command", command());
  w.kv("message_id", static_cast<unsigned>(message_id));
  if (!sop_class.empty()) {
    w.kv("sop_class", sop_class);
    if (*sop_class_name()) w.kv("sop_class_name", sop_class_name());
  }
  if (!sop_instance.empty()) w.kv("sop_instance", sop_instance);
  if (!move_destination.empty()) w.kv("move_destination", move_destination);
  if (has_status) {
    char hex[8];
    snprintf(hex, sizeof hex, "%04X", status);
    w.kv("status", hex);
    w.kv("status_class", status_class(status));
  }
  if (field == 0x0020 || field == 0x0010) w.kv("matches", static_cast<unsigned>(matches));
  if (has_counts) {
    w.kv("completed", static_cast<unsigned>(completed));
    w.kv("failed", static_cast<unsigned>(failed));
    w.kv("warning", static_cast<unsigned>(warning));
  }
  if (has_object()) {
    w.key("object").begin_object();
    write_object(w, object, true);
    w.end_object();
  }
  if (has_query()) {
    w.key("query").begin_object();
    if (!level.empty()) w.kv("level", level);
    w.key("keys").begin_array();
    for (const auto& k : keys) {
      w.begin_object().kv("key", k.key).kv("match", k.match);
      if (!k.value.empty()) w.kv("value", k.value);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.kv("latency_ms", latency_ms);
  w.end_object();
}

void DicomFileEvent::write_json(JsonWriter& w) const {
  w.key("dicom_file").begin_object();
  w.kv("transport", transport);
  w.kv("direction", direction());
  w.kv("preamble", preamble);
  w.kv("executable_preamble", executable_preamble());
  if (!transfer_syntax.empty()) w.kv("transfer_syntax", transfer_syntax);
  if (!sop_class.empty()) {
    w.kv("sop_class", sop_class);
    if (*sop_class_name()) w.kv("sop_class_name", sop_class_name());
  }
  if (!sop_instance.empty()) w.kv("sop_instance", sop_instance);
  w.key("object").begin_object();
  write_object(w, object, true);
  w.end_object();
  w.kv("phi", phi);
  w.end_object();
}

}  // namespace ms::dicom
