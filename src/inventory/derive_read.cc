// The derivation's first pass: every observation of a device through the
// reader of its attribute (kReaders). A reader files the value where the
// later steps look for it: a field's candidates, a listed set, a service, a
// peer; and names the texts the signatures read. A new attribute from
// observe.cc gets one row in kReaders (and, if the signatures should read
// it, its text kind).
#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_map>

#include "inventory/derive_steps.h"

namespace ms::inv {

namespace {

using Reader = void (*)(const Row&, DeviceFacts&);

struct ReaderRow {
  const char* attr;
  Reader read;            // nullptr: only a text for the signatures
  const char* text_kind;  // nullptr: the signatures do not read it
};

// Values the record lists as they are.
template <std::set<std::string> DeviceFacts::*kSet>
void list(const Row& r, DeviceFacts& f) {
  (f.*kSet).insert(r.value);
}

// Values observed as such: one candidate of the field, at the row's confidence.
template <FieldId kField>
void candidate(const Row& r, DeviceFacts& f) {
  f.fields[kField].add(r.value, r.conf, r, r.value);
}

// Peer and service observations the aggregation's caps turned away.
void read_not_listed(const Row& r, DeviceFacts& f) {
  auto& n = f.not_listed[r.value];
  n.first += r.count;
  n.second += r.bytes;
}

// --- Addresses

void read_ip(const Row& r, DeviceFacts& f) {
  if (forwarded_for_others(f.gateway, r.source, r.value)) return;
  auto& span = f.ips[r.value];
  span.first = span.first ? std::min(span.first, r.first) : r.first;
  span.second = std::max(span.second, r.last);
  f.ip_sources[r.value].insert(r.source);
}

// --- Identity

void read_manufacturer(const Row& r, DeviceFacts& f) { f.fields[kManufacturer].add(canonical_vendor(r.value), r.conf, r, r.value); }

// A host name, and an HL7 sending application, often name the model
// ("CARESCAPE-B650-ICU3", "MAC5500"): also texts for the model signatures,
// at a weight below what the device states in a field of its own (a number
// in a host name may be an asset tag, not a model).
void as_model_text(const Row& r, DeviceFacts& f) {
  Row weak = r;
  weak.conf = r.conf * 0.6;
  f.made.push_back(std::move(weak));
  f.texts.push_back({&f.made.back(), "any"});
}

void read_hostname(const Row& r, DeviceFacts& f) {
  f.fields[kHostname].add(r.value, r.conf, r, r.value);
  as_model_text(r, f);
}

void read_hl7_app(const Row& r, DeviceFacts& f) {
  f.hl7_apps.insert(r.value);
  if (r.source == "hl7.sending_application") as_model_text(r, f);
}

// --- Operating system hints (the OS step ranks them)

// DHCP option 60 (RFC 2132 §9.13): Windows 2000 and every later Windows
// send "MSFT 5.0" (Windows 98/ME "MSFT 98"); Android "android-dhcp-N";
// dhcpcd "dhcpcd-V:OS-release:machine:platform". A statement of the client
// software, above a parameter list (0.6) and far above a TTL (0.2).
void read_vendor_class(const Row& r, DeviceFacts& f) {
  f.vendor_classes.insert(r.value);
  const std::string& v = r.value;
  std::string os;
  if (v.rfind("MSFT 5.0", 0) == 0) os = "Windows";
  else if (v.rfind("MSFT 98", 0) == 0) os = "Windows 98";
  else if (v.rfind("android-dhcp", 0) == 0) os = "Android";
  else if (v.rfind("dhcpcd-", 0) == 0 && v.find(":Linux") != std::string::npos) os = "Linux";
  if (!os.empty()) f.fields[kOs].add(os, 0.8, r, "DHCP vendor class " + v);
}


// FingerBank's families (RFC 2132 option 55 lists); a list several OSes send
// gives each of them. Printer and router families also suggest a type.
void read_dhcp_fingerprint(const Row& r, DeviceFacts& f) {
  auto fps = dhcp_fingerprint(r.value);
  for (const DhcpFingerprint& fp : fps) {
    double conf = fps.size() == 1 ? 0.6 : 0.45;
    f.fields[kOs].add(fp.os, conf, r, "DHCP parameter list " + r.value);
    if (fp.family == "Printers") f.fields[kType].add("printer", 0.5, r, "DHCP parameter list of " + fp.os);
    if (fp.family == "Routers and APs" || fp.family == "Switches") {
      f.fields[kType].add("network infrastructure", 0.5, r, "DHCP parameter list of " + fp.os);
    }
  }
}

void read_ntlm_version(const Row& r, DeviceFacts& f) { f.fields[kOs].add(os_from_ntlm_version(r.value), 0.85, r, r.value); }

void read_smb_os(const Row& r, DeviceFacts& f) { f.fields[kOs].add(os_from_text(r.value), 0.7, r, r.value); }

// "software comments" (RFC 4253 §4.2).
void read_ssh_software(const Row& r, DeviceFacts& f) {
  size_t sp = r.value.find(' ');
  f.fields[kOs].add(os_from_ssh(r.value.substr(0, sp), sp == std::string::npos ? "" : r.value.substr(sp + 1)), 0.7, r, r.value);
}

void read_user_agent(const Row& r, DeviceFacts& f) { f.fields[kOs].add(os_from_text(r.value), 0.6, r, r.value); }

void read_ttl(const Row& r, DeviceFacts& f) {
  f.fields[kOs].add(os_from_ttl(static_cast<unsigned>(std::atoi(r.value.c_str()))), 0.2, r, "initial TTL " + r.value);
}

// --- Services and peers

// "tcp/104/dicom|cleartext": protocol/port/application|security.
void read_service(const Row& r, DeviceFacts& f) {
  auto bar = split(r.value, '|');
  auto parts = split(bar[0], '/');
  if (parts.size() < 2) return;
  Service& s = f.services[parts[0] + "/" + parts[1]];
  s.proto = parts[0];
  s.port = static_cast<unsigned>(std::atoi(parts[1].c_str()));
  if (parts.size() > 2) s.app = parts[2];
  if (bar.size() > 1) s.security = bar[1];
  s.first = s.first ? std::min(s.first, r.first) : r.first;
  s.last = std::max(s.last, r.last);
  s.flows += r.count;
  s.bytes += r.bytes;
}

// "out|10.0.0.5|dicom": direction|address|service.
void read_peer(const Row& r, DeviceFacts& f) {
  auto p = split(r.value, '|');
  if (p.size() != 3) return;
  Peer& x = f.peers[r.value];
  x.direction = p[0];
  x.ip = p[1];
  x.service = p[2];
  x.first = x.first ? std::min(x.first, r.first) : r.first;
  x.last = std::max(x.last, r.last);
  x.flows += r.count;
  x.bytes += r.bytes;
}

void read_dicom_object(const Row& r, DeviceFacts& f) { f.dicom_objects.push_back(&r); }

using F = DeviceFacts;

// One row per attribute (docs/inventory.md lists what observe.cc emits).
constexpr ReaderRow kReaders[] = {
    // Addresses and names.
    {"ip", read_ip, nullptr},
    {"vlan", list<&F::vlans>, nullptr},
    {"hostname", read_hostname, "hostname"},
    {"dns_name", list<&F::dns_names>, "dns_name"},
    // Identity the device states (DHCP, LLDP/CDP, SNMP, DICOM, HTTP, banners).
    {"manufacturer", read_manufacturer, nullptr},
    {"model", candidate<kModel>, "any"},
    {"serial", candidate<kSerial>, nullptr},
    {"version", candidate<kVersion>, nullptr},
    {"description", nullptr, "any"},
    {"dhcp_vendor_class", read_vendor_class, "any"},
    {"http_title", nullptr, "any"},
    {"http_server", nullptr, "any"},
    {"banner", nullptr, "any"},
    {"ssdp_server", nullptr, "any"},
    {"tls_subject", nullptr, "any"},
    {"snmp_object_id", nullptr, "snmp_object_id"},
    {"dicom_implementation", nullptr, "dicom_implementation"},
    // Clinical: DICOM and HL7 (the DICOM objects step reads dicom_object).
    {"ae_title", list<&F::ae_titles>, nullptr},
    {"dicom_role", list<&F::dicom_roles>, nullptr},
    {"dicom_object", read_dicom_object, nullptr},
    {"hl7_app", read_hl7_app, "hl7_app"},
    {"hl7_from", list<&F::hl7_from>, nullptr},
    {"equipment", list<&F::equipment>, "any"},
    {"institution", list<&F::institutions>, nullptr},
    {"phi", list<&F::phi>, nullptr},
    {"role", list<&F::roles>, nullptr},
    // Operating system hints.
    {"dhcp_fingerprint", read_dhcp_fingerprint, nullptr},
    {"ntlm_version", read_ntlm_version, nullptr},
    {"smb_os", read_smb_os, nullptr},
    {"ssh_software", read_ssh_software, "any"},
    {"user_agent", read_user_agent, "any"},
    {"ttl", read_ttl, nullptr},
    // Services and peers.
    {"service", read_service, nullptr},
    {"peer", read_peer, nullptr},
    {"not_listed", read_not_listed, nullptr},
    {"ftp_data_port", list<&F::ftp_data>, nullptr},
    // Exposure.
    {"cleartext_login", list<&F::cleartext_logins>, nullptr},
    {"default_credential", list<&F::default_creds>, nullptr},
    {"tls_weak", list<&F::tls_weak>, nullptr},
    {"tls_version", list<&F::tls_versions>, nullptr},
    {"smb_dialect", list<&F::smb_dialects>, nullptr},
};

const ReaderRow* reader_of(const std::string& attr) {
  static const std::unordered_map<std::string_view, const ReaderRow*> by_attr = [] {
    std::unordered_map<std::string_view, const ReaderRow*> m;
    for (const ReaderRow& r : kReaders) m.emplace(r.attr, &r);
    return m;
  }();
  auto it = by_attr.find(attr);
  return it == by_attr.end() ? nullptr : it->second;
}

}  // namespace

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

void read_observations(DeviceFacts& f) {
  for (const Row& r : f.rows) {
    const ReaderRow* reader = reader_of(r.attr);
    if (!reader) continue;
    if (reader->read) reader->read(r, f);
    if (reader->text_kind) f.texts.push_back({&r, reader->text_kind});
  }
}

}  // namespace ms::inv
