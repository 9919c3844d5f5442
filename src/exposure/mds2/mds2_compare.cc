// MDS2 answers against observed traffic (mds2_compare.h). The questions are
// those of HN 1-2019 a passive sensor can check:
//   TXCF-2   "Is personally identifiable information encrypted prior to
//            transmission via a network or removable media?"  Yes  vs patient
//            data decoded on the wire (HL7, DICOM, FHIR carry it in clear)
//   MPII-1   "Can this device display, transmit, store, or modify personally
//            identifiable information?"  No  vs patient data seen
//   MPII-3.5 "... transmit/receive personally identifiable information via a
//            wired network connection?"  No  vs patient data seen
//   MPII-3.7 "... over an external network (e.g., Internet)?"  No  and
//   CONN-4   "Can the device communicate with other systems external to the
//            customer environment?"  No  vs public peers
//   RMOT-1   "Does the device permit remote service connections for device
//            analysis or repair?"  No  vs telnet/SSH/RDP/VNC served, logins
//   SAHD-9   "Are all services (e.g., telnet, FTP, IIS ...) which are not
//            required ... deleted/disabled?"  Yes  vs telnet/FTP/TFTP served
//   PAUT-1   "Does the device support and enforce unique IDs and passwords
//            for all users and roles (including service accounts)?"  Yes, and
//   PAUT-4   answered "no default accounts"  vs a vendor default login accepted
//   CONN-7   "Does the device support TLS?"  No  vs TLS negotiated
//   AUDT-5.2 "Via IHE ATNA profile to SIEM?"  Yes  vs no syslog/ATNA seen (not_observed)
#include "exposure/mds2/mds2_compare.h"

#include <algorithm>
#include <cctype>

#include "common/json_reader.h"
#include "exposure/json_lists.h"

namespace ms::exposure {

namespace {

constexpr size_t kRecordMaxValues = 500'000;

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 1918, loopback, link-local, CGNAT, multicast/broadcast, IPv6 ULA and link-local.
bool is_internal(std::string_view ip) {
  if (ip.find(':') != std::string_view::npos) {
    std::string l = lower(ip);
    return l.rfind("fe80", 0) == 0 || l.rfind("fc", 0) == 0 || l.rfind("fd", 0) == 0 || l.rfind("ff", 0) == 0 || l == "::1";
  }
  unsigned a = 0, b = 0;
  size_t dot = ip.find('.');
  for (char c : ip.substr(0, dot)) a = a * 10 + static_cast<unsigned>(c - '0');
  if (dot != std::string_view::npos)
    for (char c : ip.substr(dot + 1, ip.find('.', dot + 1) - dot - 1)) b = b * 10 + static_cast<unsigned>(c - '0');
  return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) || (a == 169 && b == 254) ||
         (a == 100 && b >= 64 && b <= 127) || a >= 224 || a == 0;
}

// What the record shows, gathered once.
struct Seen {
  std::vector<std::string> phi_protocols, phi_peers, remote_services, unneeded_services, logins, defaults, tls, external, audit;
};

Seen gather(const JsonValue& rec) {
  Seen s;
  const JsonValue* phi = rec.get("phi");
  if (json_true(phi, "handles")) s.phi_protocols = json_strings(phi->get("protocols"));
  const JsonValue* x = rec.get("exposure");
  // An SNMP community is a password but not a service session: left out of RMOT-1.
  for (std::string& l : json_strings(x ? x->get("cleartext_logins") : nullptr))
    if (l != "snmp") s.logins.push_back(std::move(l));
  s.defaults = json_strings(x ? x->get("default_credentials") : nullptr);
  s.tls = json_strings(x ? x->get("tls_versions") : nullptr);
  static const char* const kRemote[] = {"telnet", "ssh", "rdp", "vnc", "rlogin", "rsh"};
  static const char* const kUnneeded[] = {"telnet", "ftp", "tftp", "rlogin", "rsh"};
  const JsonValue* services = rec.get("services");
  if (services && services->type == JsonValue::kArray) {
    for (const JsonValue& v : services->items) {
      std::string app(json_str(&v, "app"));
      const JsonValue* port = v.get("port");
      std::string what = app + "/" + (port ? port->text : "?");
      if (std::count(std::begin(kRemote), std::end(kRemote), app) && s.remote_services.size() < 8) s.remote_services.push_back(what);
      if (std::count(std::begin(kUnneeded), std::end(kUnneeded), app) && s.unneeded_services.size() < 8) s.unneeded_services.push_back(what);
    }
  }
  const JsonValue* peers = rec.get("peers");
  if (peers && peers->type == JsonValue::kArray) {
    for (const JsonValue& p : peers->items) {
      std::string ip(json_str(&p, "ip")), service(json_str(&p, "service")), dir(json_str(&p, "direction"));
      std::string what = dir + " " + ip + " " + service;
      if (!ip.empty() && !is_internal(ip) && s.external.size() < 8) s.external.push_back(what);
      for (const std::string& proto : s.phi_protocols)
        if (service.size() > proto.size() && service.compare(service.size() - proto.size(), proto.size(), proto) == 0 && s.phi_peers.size() < 8)
          s.phi_peers.push_back(what);
      if ((service == "udp/514/syslog" || service.rfind("tcp/6514", 0) == 0 || service.rfind("udp/514", 0) == 0 ||
           service.rfind("tcp/601", 0) == 0) && dir == "out")
        s.audit.push_back(what);
    }
  }
  return s;
}

}  // namespace

std::vector<std::string> mds2_models(const Mds2Form& form) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : form.model + ",") {
    if (c == ',' || c == ';' || c == '/' || c == '\n') {
      size_t a = cur.find_first_not_of(" \t\""), b = cur.find_last_not_of(" \t\"");
      if (a != std::string::npos && out.size() < 32) out.push_back(cur.substr(a, b - a + 1));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

std::vector<Mds2Discrepancy> compare_mds2(const Mds2Form& form, const std::string& form_id, const std::string& device_id,
                                          const std::string& record_json) {
  std::vector<Mds2Discrepancy> out;
  JsonValue rec;
  if (parse_json(record_json, rec, kRecordMaxValues) || rec.type != JsonValue::kObject) return out;
  Seen s = gather(rec);
  auto declared = [](const Mds2Answer& a) {
    return a.answer + ": " + a.question.substr(0, 160) + (a.note.empty() ? "" : " (note: " + a.note.substr(0, 120) + ")");
  };
  auto add = [&](const char* id, std::string_view when, bool seen, const std::string& observed, const std::string& evidence,
                 const char* kind = "contradicted") {
    const Mds2Answer* a = form.find(id);
    if (!a || a->value != when || !seen) return;
    out.push_back({device_id, form_id, id, declared(*a), observed, evidence, kind});
  };
  std::string phi = "patient data decoded in clear on the network: " + join_list(s.phi_protocols);
  bool has_phi = !s.phi_protocols.empty();
  add("TXCF-2", "yes", has_phi, phi, join_list(s.phi_peers));
  add("MPII-1", "no", has_phi, phi, join_list(s.phi_peers));
  add("MPII-3.5", "no", has_phi, phi, join_list(s.phi_peers));
  add("MPII-3.7", "no", has_phi && !s.external.empty(), "talks to peers outside the hospital's private addresses", join_list(s.external));
  add("CONN-4", "no", !s.external.empty(), "talks to peers outside the hospital's private addresses", join_list(s.external));
  bool remote = !s.remote_services.empty() || !s.logins.empty();
  std::string remote_seen = (s.remote_services.empty() ? "" : "remote access served: " + join_list(s.remote_services)) +
                            (s.remote_services.empty() || s.logins.empty() ? "" : "; ") +
                            (s.logins.empty() ? "" : "logins to it seen in clear: " + join_list(s.logins));
  std::vector<std::string> remote_evidence = s.remote_services;
  remote_evidence.insert(remote_evidence.end(), s.logins.begin(), s.logins.end());
  add("RMOT-1", "no", remote, remote_seen, join_list(remote_evidence));
  add("SAHD-9", "yes", !s.unneeded_services.empty(), "services the question names served: " + join_list(s.unneeded_services),
      join_list(s.unneeded_services));
  std::string defaults = "vendor default login accepted: " + join_list(s.defaults);
  add("PAUT-1", "yes", !s.defaults.empty(), defaults, join_list(s.defaults));
  if (const Mds2Answer* a = form.find("PAUT-4"); a && lower(a->answer + " " + a->note).find("no default") != std::string::npos && !s.defaults.empty())
    out.push_back({device_id, form_id, "PAUT-4", declared(*a), defaults, join_list(s.defaults), "contradicted"});
  add("CONN-7", "no", !s.tls.empty(), "TLS negotiated: " + join_list(s.tls), join_list(s.tls));
  add("AUDT-5.2", "yes", s.audit.empty(), "no syslog or ATNA audit messages (udp/514, tcp/601, tcp/6514) seen from the device", "",
      "not_observed");
  return out;
}

}  // namespace ms::exposure
