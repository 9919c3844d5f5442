// FHIR RESTful interactions (R4 §3.1.0) and resources' patient identity.
#include "dissectors/fhir/fhir.h"

#include <algorithm>
#include <cctype>

#include "common/json_reader.h"

namespace ms::fhir {

namespace {

constexpr size_t kMaxIdentities = 64;

std::string lower(std::string_view s) {
  std::string o(s);
  std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return std::tolower(c); });
  return o;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t p = 0;
  while (p < path.size() && out.size() < 32) {
    size_t e = path.find('/', p);
    if (e == std::string_view::npos) e = path.size();
    if (e > p) out.push_back(path.substr(p, e - p));
    p = e + 1;
  }
  return out;
}

void add(std::vector<std::string>& v, std::string s) {
  if (!s.empty() && v.size() < kMaxIdentities && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

// A reference "Patient/123" (or an absolute URL ending so): the id.
void reference_patient(const JsonValue* ref, Summary& out) {
  if (!ref || ref->type != JsonValue::kObject) return;
  std::string_view r = ref->get("reference") ? ref->get("reference")->str() : std::string_view();
  size_t p = r.rfind("Patient/");
  if (p != std::string_view::npos) add(out.patient_ids, std::string(r.substr(p + 8, r.find('/', p + 8) - p - 8)));
}

void resource(const JsonValue& v, Summary& out, int depth) {
  if (v.type != JsonValue::kObject || depth > 4) return;
  std::string_view type = v.get("resourceType") ? v.get("resourceType")->str() : std::string_view();
  if (type == "Bundle") {
    // The first bundle seen (the request's, for a batch or transaction) is
    // the one described; later ones (its response) only add identities.
    bool describe = out.bundle_type.empty() && depth == 0;
    if (describe && v.get("type")) out.bundle_type = std::string(v.get("type")->str()).substr(0, 32);
    if (const JsonValue* entries = v.get("entry"); entries && entries->type == JsonValue::kArray) {
      if (describe) out.bundle_entries = entries->items.size();
      for (const JsonValue& e : entries->items) {
        if (const JsonValue* r = e.get("resource")) {
          if (const JsonValue* t = r->get("resourceType");
              describe && t && t->type == JsonValue::kString && out.entry_types.size() < 64) {
            ++out.entry_types[std::string(t->str()).substr(0, 64)];
          }
          resource(*r, out, depth + 1);
        }
      }
    }
    return;
  }
  if (person_type(type)) {
    if (const JsonValue* id = v.get("id")) add(out.patient_ids, std::string(id->str()));
    if (const JsonValue* ids = v.get("identifier"); ids && ids->type == JsonValue::kArray) {
      for (const JsonValue& i : ids->items) {
        if (const JsonValue* val = i.get("value")) add(out.patient_ids, std::string(val->str()));
      }
    }
    if (const JsonValue* names = v.get("name"); names && names->type == JsonValue::kArray) {
      for (const JsonValue& n : names->items) {
        // HumanName as DICOM/HL7 order (FAMILY^GIVEN) so tokens match theirs.
        std::string name(n.get("family") ? n.get("family")->str() : std::string_view());
        if (const JsonValue* g = n.get("given"); g && g->type == JsonValue::kArray && !g->items.empty()) {
          name += "^" + std::string(g->items[0].str());
        }
        add(out.patient_names, name);
      }
    }
    if (const JsonValue* bd = v.get("birthDate")) add(out.birth_dates, std::string(bd->str()));
  }
  reference_patient(v.get("subject"), out);
  reference_patient(v.get("patient"), out);
}

void body(std::string_view ct, Bytes b, bool complete, Summary& out) {
  if (b.empty()) {
    if (!complete) out.truncated = true;  // a body was there but not kept
    return;
  }
  std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
  std::string lct = lower(ct);
  if (lct.find("xml") != std::string::npos) {
    // XML: the root element is the resource type (<Patient xmlns="http://hl7.org/fhir">).
    if (out.format.empty()) out.format = "xml";
    size_t p = text.find('<');
    while (p != std::string_view::npos && p + 1 < text.size() && (text[p + 1] == '?' || text[p + 1] == '!')) {
      p = text.find('<', p + 1);
    }
    if (p != std::string_view::npos && out.resource_type.empty()) {
      size_t e = text.find_first_of(" >/", p + 1);
      std::string_view root = text.substr(p + 1, e == std::string_view::npos ? 0 : e - p - 1);
      if (known_resource_type(root)) out.resource_type = std::string(root);
    }
    if (!complete) out.truncated = true;
    return;
  }
  JsonValue v;
  if (parse_json(text, v) != nullptr) {
    if (!complete) out.truncated = true;
    return;
  }
  if (out.format.empty()) out.format = "json";
  if (out.resource_type.empty() && v.get("resourceType")) out.resource_type = std::string(v.get("resourceType")->str()).substr(0, 64);
  resource(v, out, 0);
}

bool json_with_resource_type(Bytes b) {
  std::string_view t(reinterpret_cast<const char*>(b.data()), std::min<size_t>(b.size(), 4096));
  size_t p = t.find_first_not_of(" \t\r\n");
  return p != std::string_view::npos && t[p] == '{' && t.find("\"resourceType\"") != std::string_view::npos;
}

}  // namespace

bool person_type(std::string_view t) { return t == "Patient" || t == "Person" || t == "RelatedPerson"; }

bool known_resource_type(std::string_view s) {
  static const char* kTypes[] = {
      "Patient", "Practitioner", "PractitionerRole", "Organization", "Encounter", "Observation", "Condition",
      "Procedure", "MedicationRequest", "MedicationAdministration", "MedicationStatement", "MedicationDispense",
      "Medication", "DiagnosticReport", "ImagingStudy", "Device", "DeviceMetric", "DeviceRequest",
      "AllergyIntolerance", "Immunization", "Appointment", "Bundle", "CapabilityStatement", "OperationOutcome",
      "ServiceRequest", "Specimen", "Location", "RelatedPerson", "Person", "DocumentReference", "Binary",
      "Composition", "CarePlan", "CareTeam", "Consent", "Coverage", "Claim", "Schedule", "Slot", "Task",
      "Subscription", "Provenance", "AuditEvent", "Group", "List", "QuestionnaireResponse", "Questionnaire",
      "ValueSet", "CodeSystem", "Goal", "FamilyMemberHistory", "Communication", "Flag", "EpisodeOfCare"};
  for (const char* t : kTypes) {
    if (s == t) return true;
  }
  return false;
}

bool analyze(const Transaction& t, Summary& s) {
  std::string rq = lower(t.request_type), rs = lower(t.response_type);
  bool fhir = rq.find("fhir") != std::string::npos || rs.find("fhir") != std::string::npos ||
              json_with_resource_type(t.request_body) || json_with_resource_type(t.response_body);
  if (!fhir) return false;
  std::string_view path = t.target.substr(0, t.target.find('?'));
  bool query = t.target.find('?') != std::string_view::npos;
  auto seg = segments(path);
  size_t ti = seg.size();
  for (size_t i = 0; i < seg.size(); ++i) {
    if (known_resource_type(seg[i])) {
      ti = i;
      break;
    }
  }
  bool operation = std::any_of(seg.begin(), seg.end(), [](std::string_view x) { return !x.empty() && x[0] == '$'; });
  bool history = std::find(seg.begin(), seg.end(), "_history") != seg.end();
  bool search = std::find(seg.begin(), seg.end(), "_search") != seg.end();
  if (ti < seg.size()) {
    s.resource_type = std::string(seg[ti]);
    if (ti + 1 < seg.size() && seg[ti + 1][0] != '_' && seg[ti + 1][0] != '$') s.id = std::string(seg[ti + 1]).substr(0, 64);
  }
  // The request body first: what was sent (create, update, a transaction bundle).
  body(t.request_type, t.request_body, t.request_body_complete, s);
  std::string rtype_from_request = s.resource_type;
  const std::string m(t.method);
  if (operation) s.interaction = "operation";
  else if (!seg.empty() && seg.back() == "metadata" && m == "GET") s.interaction = "capabilities";
  else if (m == "GET" || m == "HEAD") s.interaction = history ? (seg.size() > ti + 3 ? "vread" : "history") : !s.id.empty() ? "read" : "search";
  else if (m == "POST") {
    if (search) s.interaction = "search";
    else if (ti >= seg.size()) s.interaction = s.bundle_type == "transaction" ? "transaction" : s.bundle_type == "batch" ? "batch" : "unknown";
    else s.interaction = "create";
  } else if (m == "PUT") s.interaction = "update";
  else if (m == "PATCH") s.interaction = "patch";
  else if (m == "DELETE") s.interaction = "delete";
  else s.interaction = "unknown";
  if (query && s.interaction == "unknown") s.interaction = "search";
  body(t.response_type, t.response_body, t.response_body_complete, s);
  if (!rtype_from_request.empty()) s.resource_type = rtype_from_request;
  // The id in a person resource's URL identifies the person.
  if (person_type(s.resource_type) && !s.id.empty()) add(s.patient_ids, s.id);
  return true;
}

}  // namespace ms::fhir
