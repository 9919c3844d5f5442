// The derivation's steps after the first pass (derive_steps.h): which keys
// are devices, identity from DICOM objects, the IEEE registry and the
// signatures, type by clinical and network role, and the shown values.
#include <algorithm>
#include <cstdint>
#include <iterator>

#include "dissectors/text.h"
#include "inventory/derive_steps.h"
#include "inventory/regex_prefilter.h"
#include "inventory/versions.h"

namespace ms::inv {

const char* const kFieldNames[kFieldCount] = {"manufacturer", "model", "version", "serial",
                                              "type",         "class", "os",      "hostname"};

namespace {

// Device type from a DICOM modality (PS3.3 C.7.3.1.1.1 defined terms).
std::string type_of_modality(const std::string& m) {
  if (m == "CT") return "CT";
  if (m == "MR") return "MR";
  if (m == "CR" || m == "DX" || m == "DR" || m == "RF" || m == "XA" || m == "MG" || m == "IO" || m == "PX") return "X-ray/DR/CR";
  if (m == "US" || m == "IVUS") return "ultrasound";
  if (m == "NM" || m == "PT") return "nuclear medicine";
  return "";
}

// A type concluded from a role the device plays in the traffic.
void role_type(DeviceFacts& f, const std::string& role, const char* type, double conf) {
  Row r{"role", role, "traffic roles", conf, f.out.first, f.out.last, 1, 0, 0};
  f.fields[kType].add(type, conf, r, role);
}

// IEEE organisations that make the radio or Ethernet modules built into
// other makers' devices (a pump's Wi-Fi card, a monitor's module): the MAC
// names the module, not the device, so the registry's word weighs little
// against what the device says of itself (DHCP, SNMP, DICOM, banners).
bool module_maker(const std::string& org) {
  static const char* kModuleMakers[] = {"Murata Manufacturing", "Silex Technology", "Texas Instruments", "Espressif",
                                        "u-blox",               "Laird",            "Redpine Signals",   "AzureWave",
                                        "Microchip Technology", "Roving Networks",  "Lesswire",          "Telit"};
  return std::any_of(std::begin(kModuleMakers), std::end(kModuleMakers),
                     [&](const char* m) { return org.rfind(m, 0) == 0; });
}

// Attributes whose text is the device describing itself, where a version
// is the device's own (versions.h); and those naming software on it.
bool describes_device(const std::string& attr, const std::string& source) {
  return attr == "description" || attr == "http_title" || attr == "dhcp_vendor_class" || attr == "tls_subject" ||
         attr == "banner" || attr == "ssdp_server" || (attr == "hl7_app" && source == "hl7.sending_application");
}
bool names_software(const std::string& attr) {
  return attr == "http_server" || attr == "ssh_software" || attr == "dhcp_vendor_class" || attr == "ssdp_server";
}

}  // namespace

// The device's key, MAC and time span; an address key is its own address.
void span_and_own_address(DeviceFacts& f) {
  DeviceRecord& d = f.out;
  d.id = f.key;
  if (f.is_mac) d.mac = f.key.substr(4);
  d.first = INT64_MAX;
  d.last = 0;
  for (const Row& r : f.rows) {
    d.first = std::min(d.first, r.first);
    d.last = std::max(d.last, r.last);
  }
  if (f.rows.empty()) d.first = 0;
  if (!f.is_mac) f.ips[f.key.substr(3)] = {d.first, d.last};
}

// The IEEE organisation of the MAC: a manufacturer of low confidence, and
// what the `oui_vendor` signatures read (at full weight: their own
// confidence is low).
void identity_from_ieee(DeviceFacts& f) {
  DeviceRecord& d = f.out;
  if (f.is_mac) d.mac_vendor = OuiRegistry::instance().lookup(d.mac);
  f.ieee = Row{"oui_vendor", d.mac_vendor, "ieee.registry", 0.8, d.first, d.last, 1, 0, 0};
  if (d.mac_vendor.empty()) return;
  double conf = module_maker(d.mac_vendor) ? 0.15 : 0.5;
  f.fields[kManufacturer].add(canonical_vendor(d.mac_vendor), conf, f.ieee, d.mac_vendor);
}

void list_addresses(DeviceFacts& f) {
  for (const auto& kv : f.ips) f.out.ips.push_back(kv.first);
}

// Passive FTP data connections land on ports the server opened for one
// transfer: not services.
void drop_ftp_data_ports(DeviceFacts& f) {
  for (auto it = f.services.begin(); it != f.services.end();) {
    const Service& s = it->second;
    bool data = s.proto == "tcp" && (s.app.empty() || s.app == "unknown") && f.ftp_data.count(std::to_string(s.port));
    it = data ? f.services.erase(it) : std::next(it);
  }
}

// A MAC is a device. An address is one only if it is internal and was seen
// sending or answering: names (a DNS answer, an SNI) point at hosts that may
// not exist, and a remote address is a peer, not a device of ours.
void keep_devices_of_ours(DeviceFacts& f) {
  bool internal = false, v4 = false, site = false;
  for (const std::string& ip : f.out.ips) {
    bool is_v4 = ip.find(':') == std::string::npos;
    internal |= internal_address(ip);
    v4 |= is_v4;
    // Every IPv6 interface has a link-local address: only a v4 or unique
    // local address places a host in the hospital's networks.
    site |= internal_address(ip) && (is_v4 || !link_local_address(ip));
  }
  if (f.is_mac) {
    // A MAC whose IPv4 addresses are all outside the internal networks is a
    // peer (an internet host), not one of the hospital's devices, unless
    // something says it is on our segment with that address: a DHCP lease or
    // request, LLDP/CDP (never forwarded by a bridge, IEEE 802.1AB §7.1), or
    // a network role (a campus with public addressing: its DHCP server).
    if (!v4 || site || f.gateway || f.roles.count("dhcp_server") || f.roles.count("gateway") || f.roles.count("network")) return;
    bool local = std::any_of(f.rows.begin(), f.rows.end(), [](const Row& r) {
      return r.source.rfind("dhcp", 0) == 0 || r.source.rfind("lldp", 0) == 0 || r.source.rfind("cdp", 0) == 0;
    });
    if (!local) f.skip = true;
    return;
  }
  bool seen = std::any_of(f.rows.begin(), f.rows.end(), [](const Row& r) {
    return r.attr == "seen" || r.attr == "service" || (r.attr == "peer" && r.value.rfind("out|", 0) == 0);
  });
  if (!internal || !seen) f.skip = true;
}

// DICOM objects describe the device that made them. A device that answers
// retrievals forwards others' images; a device whose objects name several
// makers or models is an archive or a router of images: neither is
// described by them. Each object's tags: manufacturer|model|software|
// serial|station|modality (observe.cc).
void identity_from_dicom_objects(DeviceFacts& f) {
  std::vector<std::pair<const Row*, std::vector<std::string>>> objects;
  std::set<std::string> makers;
  for (const Row* r : f.dicom_objects) {
    auto tags = split(r->value, '|');
    if (tags.size() != 6) continue;
    makers.insert(tags[0] + "|" + tags[1]);
    objects.emplace_back(r, std::move(tags));
  }
  // Hosts that move images describe none of them: an archive (stores,
  // answers queries and retrievals), a router of images, a workstation that
  // queries and retrieves (with C-GET its association carries the PACS's
  // C-STOREs); their DHCP vendor class and host name say what they are.
  const auto& r = f.dicom_roles;
  bool mover = r.count("retrieve_scp") || r.count("retrieve_scu") || r.count("query_scu") || r.count("query_scp") ||
               r.count("store_scp");
  if (mover || makers.size() != 1) return;
  for (const auto& [r, tags] : objects) {
    f.fields[kManufacturer].add(canonical_vendor(tags[0]), 0.9, *r, tags[0]);
    f.fields[kModel].add(tags[1], 0.9, *r, tags[1]);
    f.fields[kVersion].add(tags[2], 0.85, *r, tags[2]);
    f.fields[kSerial].add(tags[3], 0.9, *r, tags[3]);
    if (!tags[4].empty()) f.fields[kHostname].add(tags[4], 0.5, *r, "station name " + tags[4]);
    f.fields[kType].add(type_of_modality(tags[5]), 0.85, *r, "modality " + tags[5]);
    if (!tags[1].empty()) {
      // The object's model, for the signatures.
      Row m = *r;
      m.value = tags[1];
      f.made.push_back(std::move(m));
      f.texts.push_back({&f.made.back(), "any"});
    }
  }
}

// data/device_signatures.csv over every text that names the device. A rule's
// confidence is weighed by its source's (full at 0.8 and above).
void identity_from_signatures(DeviceFacts& f) {
  if (!f.out.mac_vendor.empty()) {
    f.made.push_back(f.ieee);
    f.texts.push_back({&f.made.back(), "oui_vendor"});
  }
  std::vector<std::string> lowered;  // each text once, for the signatures' literals
  lowered.reserve(f.texts.size());
  for (const auto& t : f.texts) lowered.push_back(text::lower(t.first->value));
  for (const Signature& s : signatures()) {
    for (size_t i = 0; i < f.texts.size(); ++i) {
      const auto& [r, kind] = f.texts[i];
      if (s.attribute != kind) continue;
      auto m = match(s, r->value, lowered[i]);
      if (!m) continue;
      double conf = s.confidence * std::min(1.0, r->conf / 0.8);
      Row ev = *r;
      ev.source = r->source + " + data/device_signatures.csv rule " + std::to_string(s.line);
      if (!s.manufacturer.empty()) f.fields[kManufacturer].add(s.manufacturer, conf, ev, r->value);
      if (!m->model.empty()) f.fields[kModel].add(m->model, conf, ev, r->value);
      if (!s.type.empty()) f.fields[kType].add(s.type, conf, ev, r->value);
      if (!s.cls.empty()) f.fields[kClass].add(s.cls, conf, ev, r->value);
    }
  }
}

// Versions in what the device writes about itself, and software versions
// (versions.h), each with the row it was read from as evidence.
void versions_from_texts(DeviceFacts& f) {
  for (const Row& r : f.rows) {
    if (describes_device(r.attr, r.source)) {
      std::string v = device_version_in(r.value);
      if (!v.empty()) f.fields[kVersion].add(v, r.conf * 0.9, r, r.value);
    }
    SoftwareVersion sw;
    if (names_software(r.attr) && software_version_in(r.value, sw) && f.software.size() < 16) {
      f.software[sw.name + " " + sw.version].insert(r.source);
    }
  }
}

// Roles seen in the traffic: network services, DICOM services (PS3.4 service
// classes as SCP or SCU), FHIR and HL7 endpoints.
void type_from_roles(DeviceFacts& f) {
  const auto& roles = f.roles;
  const auto& dicom = f.dicom_roles;
  if (roles.count("gateway") || roles.count("network")) role_type(f, "gateway", "network infrastructure", 0.6);
  if (roles.count("dns_server") || roles.count("dhcp_server")) {
    role_type(f, roles.count("dhcp_server") ? "dhcp_server" : "dns_server", "network infrastructure", 0.5);
  }
  if (dicom.count("retrieve_scp") || dicom.count("query_scp")) {
    role_type(f, "DICOM query/retrieve SCP", "PACS/archive", 0.6);
  } else if (dicom.count("store_scp") && !dicom.count("store_scu") && !dicom.count("retrieve_scu")) {
    role_type(f, "DICOM storage SCP", "PACS/archive", 0.4);
  }
  if (dicom.count("worklist_scp")) role_type(f, "DICOM modality worklist SCP", "EHR/clinical server", 0.6);
  if (dicom.count("retrieve_scu")) role_type(f, "DICOM retrieve SCU", "imaging workstation", 0.5);
  if (roles.count("fhir_server")) role_type(f, "FHIR server", "EHR/clinical server", 0.6);
  // An interface engine receives from many senders and forwards; a device
  // that receives from one sender is an endpoint (a LIS, an EHR).
  if (roles.count("hl7_receiver")) {
    bool engine = f.hl7_from.size() >= 2 || roles.count("hl7_sender");
    role_type(f, engine ? "HL7 receiver from several senders" : "HL7 receiver", "HL7/interface engine", engine ? 0.4 : 0.25);
  }
  if (f.gateway) role_type(f, "forwards for many addresses", "network infrastructure", 0.7);
}

// Each field ranked once: the shown values here, every candidate in the
// record's conclusions (write_record).
void choose_identity(DeviceFacts& f) {
  for (size_t i = 0; i < kFieldCount; ++i) f.ranked[i] = f.fields[i].ranked();
  DeviceRecord& d = f.out;
  d.manufacturer = best(f.ranked[kManufacturer]);
  d.model = best_specific(f.ranked[kModel]);
  d.version = best(f.ranked[kVersion]);
  d.serial = best(f.ranked[kSerial]);
  d.hostname = best(f.ranked[kHostname]);
}

void choose_type_and_class(DeviceFacts& f) {
  DeviceRecord& d = f.out;
  d.type = best(f.ranked[kType]);
  if (d.type == "general workstation/server") {
    // A PC maker, a desktop OS or a browser says "a PC"; a clinical role
    // played by that PC (a viewer retrieving studies, an engine, an archive)
    // says which PC: the role refines the generic type, it does not compete.
    static const char* kOnPcs[] = {"imaging workstation", "PACS/archive", "HL7/interface engine", "EHR/clinical server"};
    for (const Candidate& c : f.ranked[kType]) {
      if (c.conf >= 0.4 && std::any_of(std::begin(kOnPcs), std::end(kOnPcs), [&](const char* t) { return c.value == t; })) {
        d.type = c.value;
        break;
      }
    }
  }
  if (d.type.empty()) d.type = "unknown";
  d.medical = is_medical_type(d.type) && d.type != "medical device server";
  d.cls = best(f.ranked[kClass]);
  // The classes (stationary, wearable, implantable, consumer) are for
  // medical devices: infrastructure and IT hosts get none (issue 15).
  static const char* kNoClass[] = {"network infrastructure", "general workstation/server", "printer"};
  if (std::any_of(std::begin(kNoClass), std::end(kNoClass), [&](const char* t) { return d.type == t; })) {
    d.cls = "none";
    return;
  }
  if (d.cls.empty() && d.type != "unknown") {
    // Every other device found on a wired clinical network that no rule
    // calls wearable, implantable or consumer is stationary.
    d.cls = "stationary";
  }
  if (d.cls.empty()) d.cls = "unknown";
}

// The OS, and whether data/eol_os.csv says it is past its end of support.
void os_and_end_of_life(DeviceFacts& f) {
  f.out.os = best(f.ranked[kOs]);
  f.eol = eol_of(f.out.os);
  f.out.os_eol = f.eol != nullptr;
}

// The primary address: the most recently seen IPv4, else any.
void primary_address(DeviceFacts& f) {
  TimeNs top = -1;
  for (const auto& [ip, span] : f.ips) {
    bool v4 = ip.find(':') == std::string::npos;
    TimeNs score = span.second + (v4 ? (TimeNs{1} << 62) : 0);
    if (score > top) {
      top = score;
      f.out.primary_ip = ip;
    }
  }
}

}  // namespace ms::inv
