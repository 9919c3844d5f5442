// The zone model: which zone a device of each inventory type belongs to, and
// which zone an address is in under a policy (docs/segmentation.md "Zones").
#include <algorithm>
#include <cstring>

#include "segment/policy.h"

namespace ms::seg {
namespace {

struct ZoneDef {
  const char* zone;
  const char* description;
  bool medical;
};

// The zones of the model, in the order they are listed. Grouped by what the
// devices do on the network, as the FDA/ HSCC guidance groups them (imaging,
// monitoring, therapy, lab, integration, IT): devices that talk the same
// workflows share a zone.
constexpr ZoneDef kZones[] = {
    {"imaging_modality", "imaging modalities (CT, MR, X-ray, ultrasound, nuclear medicine)", true},
    {"pacs", "PACS and image archives", false},
    {"clinical_workstation", "imaging and clinical workstations", false},
    {"patient_monitoring", "patient monitors, ventilators, anesthesia machines", true},
    {"infusion_pump", "infusion pumps", true},
    {"lab_analyzer", "laboratory analyzers", true},
    {"interface_engine", "HL7 and interface engines", false},
    {"clinical_server", "EHR and clinical servers", false},
    {"medical_other", "other medical devices (device servers, medication cabinets, nurse call)", true},
    {"printer", "printers", false},
    {"infrastructure", "network infrastructure", false},
    {"it", "general workstations and servers", false},
    {"unclassified", "devices the inventory has not classified", false},
    {kExternal, "every address outside the internal ranges", false},
    {kMulticast, "multicast and broadcast destinations", false},
};

struct TypeZone {
  const char* type;
  const char* zone;
};

// The inventory's types (docs/inventory.md "Types and classes").
constexpr TypeZone kTypeZones[] = {
    {"CT", "imaging_modality"},
    {"MR", "imaging_modality"},
    {"X-ray/DR/CR", "imaging_modality"},
    {"ultrasound", "imaging_modality"},
    {"nuclear medicine", "imaging_modality"},
    {"PACS/archive", "pacs"},
    {"imaging workstation", "clinical_workstation"},
    {"patient monitor", "patient_monitoring"},
    {"ventilator", "patient_monitoring"},
    {"anesthesia machine", "patient_monitoring"},
    {"infusion pump", "infusion_pump"},
    {"lab analyzer", "lab_analyzer"},
    {"HL7/interface engine", "interface_engine"},
    {"EHR/clinical server", "clinical_server"},
    {"medical device server", "medical_other"},
    {"medication cabinet", "medical_other"},
    {"nurse call", "medical_other"},
    {"printer", "printer"},
    {"network infrastructure", "infrastructure"},
    {"general workstation/server", "it"},
};

}  // namespace

std::string zone_of_type(const std::string& type, bool medical) {
  for (const TypeZone& t : kTypeZones)
    if (type == t.type) return t.zone;
  // A medical device of a type the table does not name still never shares
  // a zone with IT.
  return medical ? "medical_other" : "unclassified";
}

std::string zone_description(const std::string& zone) {
  for (const ZoneDef& z : kZones)
    if (zone == z.zone) return z.description;
  return "";
}

bool zone_is_medical(const std::string& zone) {
  for (const ZoneDef& z : kZones)
    if (zone == z.zone) return z.medical;
  return false;
}

std::vector<std::string> default_internal() {
  // RFC 1918, RFC 6598 (carrier-grade NAT), loopback, link-local (RFC 3927,
  // RFC 4291), IPv6 unique local (RFC 4193), and 0.0.0.0 (a DHCP client).
  return {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
          "169.254.0.0/16", "0.0.0.0/32", "fc00::/7", "fe80::/10", "::1/128"};
}

bool is_multicast(const std::string& ip) {
  uint8_t b[16];
  bool v4 = false;
  if (!parse_ip(ip, b, v4)) return false;
  if (v4) return (b[0] & 0xf0) == 0xe0 || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
  return b[0] == 0xff;
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 48) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

ZoneMap::ZoneMap(const Policy& p) {
  for (const std::string& c : p.internal) {
    Cidr r;
    if (parse_cidr(c, r)) internal_.push_back(r);
  }
  for (const Zone& z : p.zones)
    for (const std::string& m : z.members) member_.emplace(m, z.name);
}

bool ZoneMap::internal(const std::string& ip) const {
  return std::any_of(internal_.begin(), internal_.end(), [&](const Cidr& c) { return in_cidr(ip, c); });
}

std::string ZoneMap::zone_of(const std::string& ip) const {
  if (is_multicast(ip)) return kMulticast;
  auto it = member_.find(ip);
  if (it != member_.end()) return it->second;
  return internal(ip) ? kUnlisted : kExternal;
}

}  // namespace ms::seg
