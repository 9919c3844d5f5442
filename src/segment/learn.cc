// Learning: zones from the inventory, rules from the answered flows between
// them. What is never learned: unanswered attempts (a scan's probes), flows
// that raised a high or critical alert, and medical devices' traffic to the
// outside (docs/segmentation.md "Learning rules").
#include "segment/learn.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

namespace ms::seg {
namespace {

struct Key {
  std::string from, to, proto;
  int port;
  bool operator<(const Key& o) const { return std::tie(from, to, proto, port) < std::tie(o.from, o.to, o.proto, o.port); }
};

struct Acc {
  uint64_t flows = 0, bytes = 0;
  std::string first, last, app;
  std::set<std::string> clients, servers, shares;
};

void add_capped(std::set<std::string>& s, const std::string& v) {
  if (s.size() < kMaxEvidenceHosts || s.count(v)) s.insert(v);
}

std::set<uint64_t> alerted_flows(const Traffic& t) {
  std::set<uint64_t> ids;
  for (const AlertRec& a : t.alerts)
    if (a.severity == "high" || a.severity == "critical") ids.insert(a.flow_ids.begin(), a.flow_ids.end());
  return ids;
}

// Addresses of answered flows that the inventory did not place in a zone
// join `unclassified`: a policy must name every internal host it allows.
void add_unplaced(Policy& p, const Traffic& t) {
  ZoneMap zm(p);
  std::set<std::string> extra;
  for (const FlowRec& f : t.flows) {
    if (!f.answered || is_link_control(f)) continue;
    for (const std::string* ip : {&f.src, &f.dst})
      if (zm.zone_of(*ip) == kUnlisted && extra.size() < kMaxMembers) extra.insert(*ip);
  }
  if (extra.empty()) return;
  auto it = std::find_if(p.zones.begin(), p.zones.end(), [](const Zone& z) { return z.name == "unclassified"; });
  if (it == p.zones.end()) {
    p.zones.push_back(Zone{"unclassified", zone_description("unclassified"), {}});
    it = p.zones.end() - 1;
  }
  it->members.insert(it->members.end(), extra.begin(), extra.end());
  std::sort(it->members.begin(), it->members.end());
  it->members.erase(std::unique(it->members.begin(), it->members.end()), it->members.end());
  std::sort(p.zones.begin(), p.zones.end(), [](const Zone& a, const Zone& b) { return a.name < b.name; });
}

Rule to_rule(const Key& k, const Acc& a) {
  Rule r;
  r.from = k.from;
  r.to = k.to;
  r.proto = k.proto;
  r.port = k.port;
  r.service = service_name(a.app, k.proto, k.port);
  r.workflow = workflow_name(r.service, k.from, k.to);
  r.flows = a.flows;
  r.bytes = a.bytes;
  r.first_seen = a.first;
  r.last_seen = a.last;
  r.clients.assign(a.clients.begin(), a.clients.end());
  r.servers.assign(a.servers.begin(), a.servers.end());
  r.shares.assign(a.shares.begin(), a.shares.end());
  return r;
}

}  // namespace

Policy propose_zones(const std::vector<DeviceRec>& devices) {
  Policy p;
  p.internal = default_internal();
  std::map<std::string, std::set<std::string>> members;
  std::set<std::string> placed;
  ZoneMap none(p);
  size_t n = 0;
  for (const DeviceRec& d : devices) {
    std::string zone = zone_of_type(d.type, d.medical);
    for (const std::string& ip : d.ips) {
      // An address claimed by two devices (a re-used lease) stays with the
      // first in the database's order; outside addresses are `external`.
      if (!none.internal(ip) || is_multicast(ip) || !placed.insert(ip).second || ++n > kMaxMembers) continue;
      members[zone].insert(ip);
    }
  }
  for (const auto& [zone, ips] : members)
    p.zones.push_back(Zone{zone, zone_description(zone), std::vector<std::string>(ips.begin(), ips.end())});
  return p;
}

Policy learn(const std::vector<DeviceRec>& devices, const Traffic& traffic) {
  return learn_with_zones(propose_zones(devices), traffic);
}

Policy learn_with_zones(const Policy& zones, const Traffic& traffic) {
  Policy p;
  p.internal = zones.internal;
  p.zones = zones.zones;
  for (Zone& z : p.zones) std::sort(z.members.begin(), z.members.end());
  std::sort(p.zones.begin(), p.zones.end(), [](const Zone& a, const Zone& b) { return a.name < b.name; });
  add_unplaced(p, traffic);
  ZoneMap zm(p);
  std::set<uint64_t> alerted = alerted_flows(traffic);
  std::map<Key, Acc> acc;
  for (const FlowRec& f : traffic.flows) {
    if (is_link_control(f)) continue;
    if (!f.answered) {
      ++p.not_learned["unanswered attempts"];
      continue;
    }
    if (f.flow_id && alerted.count(f.flow_id)) {
      ++p.not_learned["raised a high or critical alert"];
      continue;
    }
    Key k{zm.zone_of(f.src), zm.zone_of(f.dst), f.proto, f.port};
    if (k.to == kExternal && zone_is_medical(k.from)) {
      ++p.not_learned["medical device to the outside (write the rule yourself)"];
      continue;
    }
    auto it = acc.find(k);
    if (it == acc.end()) {
      if (acc.size() >= kMaxRules) {
        ++p.not_learned["rule table full"];
        continue;
      }
      it = acc.emplace(k, Acc{}).first;
    }
    Acc& a = it->second;
    ++a.flows;
    a.bytes += f.bytes;
    if (a.first.empty() || f.ts < a.first) a.first = f.ts;
    if (f.ts > a.last) a.last = f.ts;
    // The most specific application name seen wins, alphabetically on ties.
    if (a.app.empty() || a.app == "unknown" || a.app == "failed" || (f.app != "unknown" && f.app != "failed" && f.app < a.app))
      a.app = f.app;
    add_capped(a.clients, f.src);
    add_capped(a.servers, f.dst);
    // The shares the flows used (the smallest kMaxShares, whatever the
    // order): an administrative one learned here lets the rule's clients use
    // administrative shares (smb_shares.cc).
    for (const std::string& sh : f.shares) {
      a.shares.insert(sh);
      if (a.shares.size() > kMaxShares) a.shares.erase(std::prev(a.shares.end()));
    }
  }
  for (const auto& [k, a] : acc) p.rules.push_back(to_rule(k, a));
  return p;
}

}  // namespace ms::seg
