// Identity from the maker clouds a device calls (derive_cloud.h, issue 16).
#include "inventory/derive_cloud.h"

#include <algorithm>

#include "dissectors/text.h"

namespace ms::inv {

namespace {

// Confidence of "the caller of a maker's cloud is that maker's device": a
// device's own traffic, but a name it calls is not a self-description (a
// 0.8 observation weighed down), so an IEEE organisation (0.5) of a Wi-Fi
// module maker is outweighed by two sightings (DNS and SNI), not by one.
constexpr double kMakerConf = 0.6, kFamilyConf = 0.5, kClassConf = 0.6;

bool general_purpose_os(const std::string& os) {
  return os == "Android" || os == "iOS" || os == "macOS" || os.rfind("Windows", 0) == 0;
}

// A user agent of a phone's or computer's HTTP stack: an OS it names, or the
// stacks apps use (Apple's CFNetwork, Android's Dalvik and OkHttp).
std::string user_agent_evidence(const std::string& ua) {
  std::string os = os_from_text(ua);
  if (general_purpose_os(os)) return os;
  std::string l = text::lower(ua);
  if (l.find("cfnetwork/") != std::string::npos || l.find("darwin/") != std::string::npos) return "iOS or macOS";
  if (l.find("dalvik/") != std::string::npos || l.find("okhttp/") != std::string::npos) return "Android";
  return "";
}

std::string row_evidence(const ObservationRow& r) {
  if (r.attr == "dhcp_vendor_class" && text::lower(r.value).rfind("android-dhcp-", 0) == 0) {
    // AOSP's DhcpClient sends "android-dhcp-" + the Android release.
    return "Android (DHCP vendor class " + r.value + ")";
  }
  if (r.attr == "user_agent") {
    std::string os = user_agent_evidence(r.value);
    if (!os.empty()) return os + " (user agent " + r.value + ")";
  }
  if (r.attr == "dhcp_fingerprint") {
    auto fps = dhcp_fingerprint(r.value);
    if (fps.size() == 1 && general_purpose_os(os_from_text(fps[0].os))) return fps[0].os + " (DHCP parameter list)";
  }
  if (r.attr == "ntlm_version" || r.attr == "smb_os") return "Windows (" + r.source + " " + r.value + ")";
  return "";
}

const CloudEndpoint* endpoint_of(const ObservationRow& r) {
  if (r.attr == "cloud_name") return cloud_of_name(r.value);
  if (r.attr == "user_agent") return cloud_of_user_agent(r.value);
  return nullptr;
}

// One use per maker and product family, whichever of its rows (names, user
// agents) the evidence matched.
void add_use(CloudFacts& c, const CloudEndpoint* e, const ObservationRow& r) {
  auto it = std::find_if(c.uses.begin(), c.uses.end(), [e](const CloudUse& u) {
    return u.endpoint->maker == e->maker && u.endpoint->family == e->family;
  });
  if (it == c.uses.end()) {
    if (c.uses.size() >= kMaxCloudUses) return;
    c.uses.push_back({e, false, {}});
    it = c.uses.end() - 1;
  }
  if (it->rows.size() < kMaxCloudRows) it->rows.push_back(&r);
}

void clinical_peers(DeviceFacts& f) {
  for (const auto& [k, p] : f.peers) {
    if (f.cloud.clinical_peers.size() >= kMaxClinicalPeers) break;
    bool clinical = p.service.ends_with("/dicom") || p.service.ends_with("/hl7") || p.service.ends_with("/fhir");
    if (p.direction == "out" && clinical) f.cloud.clinical_peers.push_back(p.ip + " " + p.service);
  }
}

// A device calling its maker's cloud: maker, product family and class.
void device_candidates(DeviceFacts& f, const CloudUse& u) {
  const CloudEndpoint& e = *u.endpoint;
  for (const ObservationRow* r : u.rows) {
    ObservationRow ev = *r;
    ev.source = r->source + " + data/cloud_endpoints.csv row " + std::to_string(e.line);
    f.fields[kManufacturer].add(e.maker, kMakerConf, ev, r->value);
    f.fields[kModel].add(e.family, kFamilyConf, ev, r->value);
    f.fields[kClass].add(e.cls, kClassConf, ev, r->value);
    f.fields[kType].add("personal health device", kFamilyConf, ev, r->value);
  }
}

void write_use(JsonWriter& w, const CloudUse& u) {
  const CloudEndpoint& e = *u.endpoint;
  w.begin_object().kv("maker", e.maker).kv("product_family", e.family).kv("class", e.cls).kv("medical", e.medical);
  w.key("evidence").begin_array();
  for (const ObservationRow* r : u.rows) {
    const CloudEndpoint* row_of = endpoint_of(*r);
    w.begin_object().kv("source", r->source).kv("observed", r->value);
    if (row_of) w.kv("table_row", row_of->line).kv("published", row_of->source);
    if (r->flow_id) w.kv("flow_id", r->flow_id);
    w.kv("first_seen", format_time(r->first)).kv("last_seen", format_time(r->last)).kv("count", r->count).end_object();
  }
  w.end_array().end_object();
}

}  // namespace

std::string phone_or_computer_evidence(const std::vector<ObservationRow>& rows) {
  for (const ObservationRow& r : rows) {
    std::string why = row_evidence(r);
    if (!why.empty()) return why;
  }
  return "";
}

void identity_from_clouds(DeviceFacts& f) {
  for (const ObservationRow& r : f.rows) {
    if (const CloudEndpoint* e = endpoint_of(r)) add_use(f.cloud, e, r);
  }
  if (f.cloud.uses.empty()) return;
  f.cloud.phone_evidence = phone_or_computer_evidence(f.rows);
  for (CloudUse& u : f.cloud.uses) {
    CloudEndpoint::Caller c = u.endpoint->caller;
    u.companion = c == CloudEndpoint::kCompanion || (c == CloudEndpoint::kEither && !f.cloud.phone_evidence.empty());
    if (!u.companion) device_candidates(f, u);
  }
  clinical_peers(f);
}

void medical_from_clouds(DeviceFacts& f) {
  bool called = false, medical = false;
  for (const CloudUse& u : f.cloud.uses) {
    if (u.companion) continue;
    called = true;
    medical = medical || u.endpoint->medical;
  }
  if (!called) return;
  // A personal health device is medical when its family is regulated (a
  // fitness tracker is not); a device whose type says more keeps it.
  if (f.out.type == "personal health device") f.out.medical = medical;
  else if (medical) f.out.medical = true;
}

void write_cloud(JsonWriter& w, const DeviceFacts& f) {
  const CloudFacts& c = f.cloud;
  if (c.uses.empty()) return;
  w.key("cloud").begin_object();
  for (bool companion : {false, true}) {
    w.key(companion ? "companion_of" : "device_of").begin_array();
    for (const CloudUse& u : c.uses) {
      if (u.companion == companion) write_use(w, u);
    }
    w.end_array();
  }
  if (!c.phone_evidence.empty()) w.kv("phone_or_computer", c.phone_evidence);
  // A consumer device or a companion phone talking to clinical systems
  // (DICOM, HL7, FHIR): a finding for segmentation and exposure.
  w.key("clinical_peers").begin_array();
  for (const std::string& p : c.clinical_peers) w.value(p);
  w.end_array();
  w.kv("on_clinical_systems", !c.clinical_peers.empty());
  w.end_object();
}

}  // namespace ms::inv
