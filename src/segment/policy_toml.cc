// The policy file: TOML (toml.io v1.0), written in a fixed order so that two
// learnings of the same traffic give the same bytes (the file lives in version
// control, docs/segmentation.md), and read back with toml++ with every value
// checked.
#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <sys/stat.h>

#include "segment/policy.h"

namespace ms::seg {
namespace {

// A TOML basic string (toml.io "String"): quotes, backslashes and control
// characters escaped.
std::string q(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + q(v[i]);
  return out + "]";
}

void write_rule(std::string& o, const Rule& r) {
  o += "\n[[rule]]\n";
  o += "from = " + q(r.from) + "\nto = " + q(r.to) + "\nproto = " + q(r.proto) + "\n";
  o += (r.proto == "icmp" || r.proto == "icmpv6" ? "icmp_type = " : "port = ") + std::to_string(r.port) + "\n";
  if (!r.service.empty()) o += "service = " + q(r.service) + "\n";
  if (!r.workflow.empty()) o += "workflow = " + q(r.workflow) + "\n";
  o += "flows = " + std::to_string(r.flows) + "\nbytes = " + std::to_string(r.bytes) + "\n";
  if (!r.first_seen.empty()) o += "first_seen = " + q(r.first_seen) + "\nlast_seen = " + q(r.last_seen) + "\n";
  o += "clients = " + list(r.clients) + "\nservers = " + list(r.servers) + "\n";
  if (!r.shares.empty()) o += "shares = " + list(r.shares) + "\n";
}

}  // namespace

std::string write_policy_toml(const Policy& p) {
  std::string o =
      "# medsentry segmentation policy (docs/segmentation.md). Edit the zones and rules,\n"
      "# keep the file in version control. Everything not allowed by a [[rule]] is denied.\n"
      "# This is an export for the hospital's firewalls: medsentry never applies it.\n"
      "version = 1\n";
  o += "internal = " + list(p.internal) + "\n";
  for (const auto& [reason, n] : p.not_learned) o += "# not learned: " + reason + ": " + std::to_string(n) + " flows\n";
  for (const Zone& z : p.zones) {
    o += "\n[[zone]]\nname = " + q(z.name) + "\n";
    if (!z.description.empty()) o += "description = " + q(z.description) + "\n";
    o += "members = " + list(z.members) + "\n";
  }
  for (const Rule& r : p.rules) write_rule(o, r);
  return o;
}

namespace {

bool fail(std::string& err, const std::string& path, const toml::source_region& where, const std::string& what) {
  err = path + ":" + std::to_string(where.begin.line) + ": " + what;
  return false;
}

bool strings(const toml::node* n, std::vector<std::string>& out, size_t cap) {
  if (!n) return true;
  const toml::array* a = n->as_array();
  if (!a) return false;
  for (const toml::node& v : *a) {
    if (!v.is_string() || out.size() >= cap) return false;
    out.push_back(*v.value<std::string>());
  }
  return true;
}

bool read_zone(const std::string& path, const toml::table& t, Policy& p, size_t& members, std::string& err) {
  Zone z;
  z.name = t["name"].value_or(std::string());
  if (!valid_name(z.name)) return fail(err, path, t.source(), "zone name must be [a-z0-9_], 1 to 48 characters");
  if (z.name == kExternal || z.name == kMulticast || z.name == kUnlisted)
    return fail(err, path, t.source(), "zone '" + z.name + "' is implicit and takes no members");
  z.description = t["description"].value_or(std::string());
  if (!strings(t.get("members"), z.members, kMaxMembers))
    return fail(err, path, t.source(), "members must be a list of addresses");
  for (const std::string& m : z.members) {
    Cidr c;
    if (!parse_cidr(m, c) || m.find('/') != std::string::npos)
      return fail(err, path, t.source(), "'" + m + "' is not an address");
  }
  members += z.members.size();
  if (members > kMaxMembers) return fail(err, path, t.source(), "more than 200000 zone members");
  for (const Zone& o : p.zones)
    if (o.name == z.name) return fail(err, path, t.source(), "zone '" + z.name + "' is defined twice");
  p.zones.push_back(std::move(z));
  return true;
}

bool known_zone(const Policy& p, const std::string& name) {
  if (name == kExternal || name == kMulticast) return true;
  return std::any_of(p.zones.begin(), p.zones.end(), [&](const Zone& z) { return z.name == name; });
}

bool read_rule(const std::string& path, const toml::table& t, Policy& p, std::string& err) {
  Rule r;
  r.from = t["from"].value_or(std::string());
  r.to = t["to"].value_or(std::string());
  r.proto = t["proto"].value_or(std::string());
  if (!known_zone(p, r.from) || !known_zone(p, r.to))
    return fail(err, path, t.source(), "rule between unknown zones '" + r.from + "' and '" + r.to + "'");
  bool icmp = r.proto == "icmp" || r.proto == "icmpv6";
  if (!icmp && r.proto != "tcp" && r.proto != "udp")
    return fail(err, path, t.source(), "proto must be tcp, udp, icmp or icmpv6");
  int64_t port = t[icmp ? "icmp_type" : "port"].value_or(int64_t{-1});
  if (port < 0 || port > (icmp ? 255 : 65535) || (!icmp && port == 0))
    return fail(err, path, t.source(), icmp ? "icmp_type must be 0 to 255" : "port must be 1 to 65535");
  r.port = static_cast<int>(port);
  r.service = t["service"].value_or(std::string());
  if (!r.service.empty() && !valid_name(r.service)) return fail(err, path, t.source(), "service must be [a-z0-9_]");
  r.workflow = t["workflow"].value_or(std::string());
  r.flows = static_cast<uint64_t>(std::max<int64_t>(0, t["flows"].value_or(int64_t{0})));
  r.bytes = static_cast<uint64_t>(std::max<int64_t>(0, t["bytes"].value_or(int64_t{0})));
  r.first_seen = t["first_seen"].value_or(std::string());
  r.last_seen = t["last_seen"].value_or(std::string());
  if (!strings(t.get("clients"), r.clients, kMaxEvidenceHosts * 4) ||
      !strings(t.get("servers"), r.servers, kMaxEvidenceHosts * 4))
    return fail(err, path, t.source(), "clients and servers must be short lists of addresses");
  if (!strings(t.get("shares"), r.shares, kMaxShares * 4) ||
      !std::all_of(r.shares.begin(), r.shares.end(), [](const std::string& s) { return valid_share_name(s); }))
    return fail(err, path, t.source(), "shares must be a short list of share names (MS-FSCC 2.1.6) or \"*\"");
  p.rules.push_back(std::move(r));
  return true;
}

}  // namespace

bool read_policy(const std::string& path, Policy& p, std::string& err) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    err = path + ": cannot read the policy file";
    return false;
  }
  if (st.st_size > 64 << 20) {
    err = path + ": a policy file over 64 MiB is refused";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    err = path + ": cannot read the policy file";
    return false;
  }
  return read_policy_text(text, path, p, err);
}

namespace {

bool read_tables(const std::string& path, const toml::table& root, Policy& p, std::string& err) {
  size_t members = 0;
  if (const toml::array* zs = root["zone"].as_array()) {
    for (const toml::node& n : *zs) {
      const toml::table* t = n.as_table();
      if (!t) return fail(err, path, n.source(), "[[zone]] must be a table");
      if (p.zones.size() >= kMaxZones) return fail(err, path, n.source(), "more than 256 zones");
      if (!read_zone(path, *t, p, members, err)) return false;
    }
  }
  std::set<std::string> seen;
  for (const Zone& z : p.zones)
    for (const std::string& m : z.members)
      if (!seen.insert(m).second) return fail(err, path, root.source(), "address " + m + " is in two zones");
  if (const toml::array* rs = root["rule"].as_array()) {
    for (const toml::node& n : *rs) {
      const toml::table* t = n.as_table();
      if (!t) return fail(err, path, n.source(), "[[rule]] must be a table");
      if (p.rules.size() >= kMaxRules) return fail(err, path, n.source(), "more than 20000 rules");
      if (!read_rule(path, *t, p, err)) return false;
    }
  }
  return true;
}

}  // namespace

bool read_policy_text(std::string_view text, const std::string& path, Policy& p, std::string& err) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return fail(err, path, e.source(), std::string(e.description()));
  }
  if (root["version"].value_or(int64_t{0}) != 1) return fail(err, path, root.source(), "version must be 1");
  p = Policy{};
  if (!strings(root.get("internal"), p.internal, 1024)) return fail(err, path, root.source(), "internal must be a list of CIDRs");
  if (!root.contains("internal")) p.internal = default_internal();
  for (const std::string& c : p.internal) {
    Cidr r;
    if (!parse_cidr(c, r)) return fail(err, path, root.source(), "'" + c + "' is not a CIDR");
  }
  return read_tables(path, root, p, err);
}

}  // namespace ms::seg
