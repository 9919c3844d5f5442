// The export dispatcher and what every writer shares: zone addresses by
// family, rule order and names.
#include "segment/export.h"

#include <algorithm>

namespace ms::seg {

ZoneAddrs zone_addrs(const Policy& p, const std::string& zone) {
  ZoneAddrs a;
  if (zone == kMulticast) return multicast_addrs();
  for (const Zone& z : p.zones) {
    if (z.name != zone) continue;
    for (const std::string& m : z.members) (m.find(':') == std::string::npos ? a.v4 : a.v6).push_back(m);
  }
  return a;
}

ZoneAddrs multicast_addrs() { return ZoneAddrs{{"224.0.0.0/4", "255.255.255.255/32"}, {"ff00::/8"}}; }

std::string rule_comment(const Rule& r) {
  std::string s = r.from + " -> " + r.to + " " + r.proto + "/" + std::to_string(r.port);
  if (!r.service.empty()) s += " " + r.service;
  if (!r.workflow.empty()) s += ": " + r.workflow;
  return s + " (" + std::to_string(r.flows) + " flows)";
}

std::string object_name(const std::string& zone) {
  std::string s = "ZONE_";
  for (char c : zone) s += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

bool involves_external(const Rule& r) { return r.from == kExternal || r.to == kExternal; }

std::vector<const Rule*> ordered_rules(const Policy& p) {
  std::vector<const Rule*> v;
  for (const Rule& r : p.rules) v.push_back(&r);
  std::stable_partition(v.begin(), v.end(), [](const Rule* r) { return !involves_external(*r); });
  return v;
}

std::vector<std::string> internal_of(const Policy& p, bool v4) {
  std::vector<std::string> v;
  for (const std::string& c : p.internal)
    if ((c.find(':') == std::string::npos) == v4) v.push_back(c);
  return v;
}

bool export_policy(const Policy& p, const std::string& format, std::vector<ExportFile>& out, std::string& err) {
  if (format == "nftables") out.push_back({"medsentry.nft", export_nftables(p, false)});
  else if (format == "nftables-bridge") out.push_back({"medsentry-bridge.nft", export_nftables(p, true)});
  else if (format == "iptables") out.push_back({"medsentry.iptables", export_iptables(p)});
  else if (format == "cisco-ios") out.push_back({"medsentry-ios.txt", export_cisco_ios(p)});
  else if (format == "cisco-asa") out.push_back({"medsentry-asa.txt", export_cisco_asa(p)});
  else if (format == "paloalto") out.push_back({"medsentry-paloalto.txt", export_paloalto(p)});
  else if (format == "fortigate") out.push_back({"medsentry-fortigate.conf", export_fortigate(p)});
  else if (format == "ise-sgacl") out.push_back({"medsentry-ise.txt", export_ise(p)});
  else if (format == "capirca") out = export_capirca(p);
  else {
    err = "--format: '" + format +
          "' is not nftables, nftables-bridge, iptables, cisco-ios, cisco-asa, paloalto, fortigate, ise-sgacl or capirca";
    return false;
  }
  return true;
}

}  // namespace ms::seg
