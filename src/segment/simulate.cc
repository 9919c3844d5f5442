// Simulation ("what-if"): every flow of some traffic checked against a policy
// as a firewall would, by zone, protocol and server port; and the names of
// services and clinical workflows the rules and the report show.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "segment/learn.h"

namespace ms::seg {
namespace {

struct PortName {
  const char* proto;
  int port;
  const char* name;
};

// IANA service names (RFC 6335 registry) for conversations whose application
// the dissectors did not name; DICOM 104/11112 (PS3.15 Annex B), HL7 MLLP 2575.
constexpr PortName kPorts[] = {
    {"udp", 53, "dns"},     {"tcp", 53, "dns"},        {"udp", 67, "dhcp"},    {"udp", 68, "dhcp"},
    {"udp", 123, "ntp"},    {"udp", 514, "syslog"},    {"tcp", 6514, "syslog"}, {"udp", 161, "snmp"},
    {"udp", 162, "snmp_trap"}, {"tcp", 22, "ssh"},     {"tcp", 23, "telnet"},  {"tcp", 21, "ftp"},
    {"tcp", 80, "http"},    {"tcp", 443, "https"},     {"tcp", 445, "smb"},    {"tcp", 139, "smb"},
    {"tcp", 3389, "rdp"},   {"tcp", 104, "dicom"},     {"tcp", 11112, "dicom"}, {"tcp", 2575, "hl7"},
    {"tcp", 2761, "dicom_tls"}, {"tcp", 2762, "dicom_tls"}, {"udp", 5353, "mdns"}, {"udp", 1900, "ssdp"},
};

bool clinical_service(const std::string& s) { return s == "dicom" || s == "hl7" || s == "fhir" || s == "dicom_tls"; }

}  // namespace

std::string service_name(const std::string& app, const std::string& proto, int port) {
  if (proto == "icmp" || proto == "icmpv6") return port == 8 || port == 128 ? "ping" : proto;
  if (!app.empty() && app != "unknown" && app != "failed") {
    std::string s;
    for (char c : app) s += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
    if (s == "tls") s = "https";
    return s;
  }
  for (const PortName& p : kPorts)
    if (proto == p.proto && port == p.port) return p.name;
  return proto + "_" + std::to_string(port);
}

std::string workflow_name(const std::string& service, const std::string& from, const std::string& to) {
  if (service == "dicom" || service == "dicom_tls") {
    if (to == "pacs") return from == "imaging_modality" ? "DICOM store modality -> PACS" : "DICOM query/store -> PACS";
    if (from == "pacs") return "DICOM retrieve/send PACS -> " + to;
    return "DICOM -> " + to;
  }
  if (service == "hl7") {
    if (to == "interface_engine") return "HL7 " + from + " -> interface engine";
    if (from == "interface_engine") return "HL7 interface engine -> " + to;
    return "HL7 -> " + to;
  }
  if (service == "fhir") return "FHIR API -> " + to;
  if (service == "dhcp" || service == "dns" || service == "ntp") return service + " (infrastructure)";
  if (service == "syslog") return "syslog out";
  if (to == kExternal) return service + " to the outside";
  return "";
}

std::string admin_shares_of(const std::vector<std::string>& shares) {
  std::string out;
  for (const std::string& s : shares)
    if (is_admin_share(s)) out += (out.empty() ? "" : ",") + s;
  return out;
}

Simulation simulate(const Policy& p, const Traffic& traffic) {
  ZoneMap zm(p);
  std::map<std::tuple<std::string, std::string, std::string, int>, const Rule*> allow;
  for (const Rule& r : p.rules) allow.emplace(std::make_tuple(r.from, r.to, r.proto, r.port), &r);
  Simulation sim;
  std::map<std::tuple<std::string, std::string, std::string, int, std::string>, Denied> denied;
  std::set<uint64_t> denied_ids;
  for (const FlowRec& f : traffic.flows) {
    ++sim.flows;
    if (is_link_control(f)) {
      ++sim.link_control;
      continue;
    }
    std::string from = zm.zone_of(f.src), to = zm.zone_of(f.dst);
    auto rule = allow.find({from, to, f.proto, f.port});
    // An allowed SMB conversation is still denied when it tree-connects to an
    // administrative share its rule did not learn (docs/segmentation.md).
    std::string admin = rule != allow.end() && guards_admin_shares(*rule->second) ? admin_shares_of(f.shares) : "";
    if (rule != allow.end() && admin.empty()) {
      ++sim.allowed;
      continue;
    }
    denied_ids.insert(f.flow_id);
    Denied& d = denied[{f.src, f.dst, f.proto, f.port, admin}];
    d.admin_shares = admin;
    if (d.flows == 0 || f.ts < d.first_seen) d.first_seen = f.ts;
    ++d.flows;
    d.bytes += f.bytes;
    if (d.app.empty() || d.app == "unknown" || d.app == "failed") d.app = f.app;
    d.src = f.src;
    d.dst = f.dst;
    d.proto = f.proto;
    d.port = f.port;
    d.src_zone = from;
    d.dst_zone = to;
  }
  for (auto& [k, d] : denied) {
    std::string service = service_name(d.app, d.proto, d.port);
    d.workflow = workflow_name(service, d.src_zone, d.dst_zone);
    // Clinical by what the dissectors recognised, not by the port: a probe of
    // port 104 that nobody answered is not a DICOM workflow.
    bool recognised = !d.app.empty() && d.app != "unknown" && d.app != "failed";
    d.clinical = (recognised && clinical_service(service)) || zone_is_medical(d.src_zone) || zone_is_medical(d.dst_zone);
    sim.clinical_denied |= d.clinical;
    sim.denied.push_back(d);
  }
  for (const AlertRec& a : traffic.alerts) {
    bool all = !a.flow_ids.empty() &&
               std::all_of(a.flow_ids.begin(), a.flow_ids.end(), [&](uint64_t id) { return denied_ids.count(id) > 0; });
    if (all) sim.prevented.push_back(&a);
  }
  return sim;
}

}  // namespace ms::seg
