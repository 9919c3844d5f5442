#include "detect/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "detect/rule.h"

namespace ms::detect {

namespace {

const char* kDefaultInternal[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                                  "fc00::/7", "fe80::/10"};

[[noreturn]] void fail(const std::string& path, const toml::source_region& where, const std::string& what) {
  std::ostringstream o;
  o << path;
  if (where.begin.line) o << ":" << where.begin.line;
  o << ": " << what;
  throw ConfigError(o.str());
}

std::vector<Range> ranges(const std::string& path, const toml::node& n, const std::string& key) {
  std::vector<Range> out;
  auto one = [&](const toml::node& v) {
    auto s = v.value<std::string>();
    if (!s) fail(path, v.source(), key + ": expected an address or range in quotes");
    Range r;
    r.text = *s;
    if (!parse_cidr(*s, r.cidr)) fail(path, v.source(), key + ": '" + *s + "' is not an address or range (10.1.0.0/16, fd00::/8)");
    out.push_back(std::move(r));
  };
  if (const toml::array* a = n.as_array()) {
    for (const toml::node& v : *a) one(v);
  } else {
    one(n);
  }
  return out;
}

uint32_t positive(const std::string& path, const toml::node& n, const std::string& key, int64_t max) {
  auto v = n.value_exact<int64_t>();
  if (!v) fail(path, n.source(), key + ": expected a whole number");
  if (*v < 1 || *v > max) fail(path, n.source(), key + ": " + std::to_string(*v) + " is not from 1 to " + std::to_string(max));
  return static_cast<uint32_t>(*v);
}

void check_keys(const std::string& path, const toml::table& t, const std::string& where,
                std::initializer_list<const char*> known) {
  for (const auto& kv : t) {
    // A named key, not a structured binding: clang 14 cannot capture bindings in a lambda.
    const std::string_view key = kv.first.str();
    bool ok = std::any_of(known.begin(), known.end(), [key](const char* x) { return key == x; });
    if (!ok) fail(path, kv.second.source(), "unknown setting '" + (where.empty() ? "" : where + ".") + std::string(key) + "'");
  }
}

std::string rule_or_fail(const std::string& path, const toml::node& n, const std::string& key, bool star) {
  auto s = n.value<std::string>();
  if (!s) fail(path, n.source(), key + ": expected a rule name in quotes");
  const auto& names = rule_names();
  if ((star && *s == "*") || std::find(names.begin(), names.end(), *s) != names.end()) return *s;
  std::string all;
  for (const auto& r : names) all += (all.empty() ? "" : ", ") + r;
  fail(path, n.source(), key + ": no rule named '" + *s + "' (rules: " + all + ")");
}

}  // namespace

const std::vector<std::string>& rule_names() {
  // The registered rules' alerts (src/detect/rules/), by signature id.
  static const std::vector<std::string> n = [] {
    std::vector<std::string> v;
    for (const RuleInfo& r : RuleRegistry::infos()) v.emplace_back(r.rule);
    return v;
  }();
  return n;
}

namespace {

// Whether one of the ranges holds the address: its text read once, not once
// per range (the rules ask this of every flow). The same answer as
// Range::contains: an IPv4 text only in IPv4 ranges, IPv6 in IPv6.
bool any_contains(const std::vector<Range>& ranges, std::string_view ip) {
  if (ranges.empty()) return false;
  uint8_t a[16];
  bool v4;
  if (!parse_ip(ip, a, v4)) return false;
  return std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
    const Cidr& c = r.cidr;
    if (c.v4 != v4) return false;
    size_t full = static_cast<size_t>(c.bits / 8);
    int rest = c.bits % 8;
    if (std::memcmp(a, c.net, full) != 0) return false;
    if (rest == 0) return true;
    auto mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (a[full] & mask) == (c.net[full] & mask);
  });
}

}  // namespace

bool Config::is_internal(std::string_view ip) const { return any_contains(internal, ip); }

bool Config::is_pacs(std::string_view ip) const { return any_contains(pacs, ip); }

bool Config::is_management(std::string_view ip) const { return any_contains(management, ip); }

bool Config::known_ae(std::string_view ae) const {
  return ae_titles.empty() || std::find(ae_titles.begin(), ae_titles.end(), ae) != ae_titles.end();
}

bool Config::rule_enabled(std::string_view rule) const {
  return std::find(disabled_rules.begin(), disabled_rules.end(), rule) == disabled_rules.end();
}

const Allow* Config::allowed(std::string_view rule, std::string_view src, std::string_view dst) const {
  auto side = [](const std::vector<Range>& rs, std::string_view ip) {
    return rs.empty() || std::any_of(rs.begin(), rs.end(), [&](const Range& r) { return r.contains(ip); });
  };
  for (const Allow& a : allow) {
    if ((a.rule == "*" || a.rule == rule) && side(a.src, src) && side(a.dst, dst)) return &a;
  }
  return nullptr;
}

Config default_config() {
  Config c;
  for (const char* r : kDefaultInternal) {
    Range x;
    x.text = r;
    parse_cidr(r, x.cidr);
    c.internal.push_back(x);
  }
  return c;
}

Config load_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    if (!e.source().begin.line) throw ConfigError(path + ": cannot read: " + what);
    fail(path, e.source(), what);
  }
  Config c = default_config();
  c.path = path;
  check_keys(path, root, "", {"networks", "known", "thresholds", "baseline", "allow", "disabled_rules"});
  if (const toml::node* n = root.get("baseline")) {
    const toml::table* t = n->as_table();
    if (!t) fail(path, n->source(), "baseline: expected a table");
    check_keys(path, *t, "baseline", {"learning_period", "volume_factor", "volume_min_bytes"});
    if (const toml::node* v = t->get("learning_period")) {
      auto x = v->value_exact<int64_t>();
      if (!x || *x < 0 || *x > 365LL * 86400)
        fail(path, v->source(), "baseline.learning_period: expected seconds from 0 (off) to 31536000");
      c.baseline.learning_period = static_cast<uint32_t>(*x);
    }
    if (const toml::node* v = t->get("volume_factor")) c.baseline.volume_factor = positive(path, *v, "baseline.volume_factor", 1000000);
    if (const toml::node* v = t->get("volume_min_bytes")) {
      auto x = v->value_exact<int64_t>();
      if (!x || *x < 1) fail(path, v->source(), "baseline.volume_min_bytes: expected a whole number of bytes, at least 1");
      c.baseline.volume_min_bytes = static_cast<uint64_t>(*x);
    }
  }
  if (const toml::node* n = root.get("networks")) {
    const toml::table* t = n->as_table();
    if (!t) fail(path, n->source(), "networks: expected a table");
    check_keys(path, *t, "networks", {"internal"});
    if (const toml::node* i = t->get("internal")) {
      c.internal = ranges(path, *i, "networks.internal");
      if (c.internal.empty()) fail(path, i->source(), "networks.internal: at least one range");
    }
  }
  if (const toml::node* n = root.get("known")) {
    const toml::table* t = n->as_table();
    if (!t) fail(path, n->source(), "known: expected a table");
    check_keys(path, *t, "known", {"pacs", "management", "ae_titles"});
    if (const toml::node* a = t->get("ae_titles")) {
      const toml::array* arr = a->as_array();
      if (!arr) fail(path, a->source(), "known.ae_titles: expected a list of AE titles in quotes");
      for (const toml::node& v : *arr) {
        auto s = v.value<std::string>();
        if (!s || s->empty() || s->size() > 16)
          fail(path, v.source(), "known.ae_titles: an AE title is 1 to 16 characters in quotes (DICOM PS3.5 AE)");
        c.ae_titles.push_back(*s);
      }
    }
    if (const toml::node* p = t->get("pacs")) c.pacs = ranges(path, *p, "known.pacs");
    if (const toml::node* m = t->get("management")) c.management = ranges(path, *m, "known.management");
  }
  if (const toml::node* n = root.get("disabled_rules")) {
    const toml::array* a = n->as_array();
    if (!a) fail(path, n->source(), "disabled_rules: expected a list of rule names");
    for (const toml::node& v : *a) c.disabled_rules.push_back(rule_or_fail(path, v, "disabled_rules", false));
  }
  if (const toml::node* n = root.get("thresholds")) {
    const toml::table* t = n->as_table();
    if (!t) fail(path, n->source(), "thresholds: expected a table");
    Thresholds& th = c.thresholds;
    struct Item {
      const char* key;
      uint32_t* field;
      int64_t max;
    } items[] = {
        {"scan_window", &th.scan_window, 86400},
        {"scan_hosts", &th.scan_hosts, 1000000},
        {"scan_ports", &th.scan_ports, 65535},
        {"scan_targets", &th.scan_targets, 1000000},
        {"scan_clinical_hosts", &th.scan_clinical_hosts, 1000000},
        {"scan_clinical_ports", &th.scan_clinical_ports, 65535},
        {"scan_clinical_targets", &th.scan_clinical_targets, 1000000},
        {"scan_device_targets", &th.scan_device_targets, 1000000},
        {"brute_force_failures", &th.brute_force_failures, 100000},
        {"brute_force_window", &th.brute_force_window, 86400},
        {"brute_force_failures_medical", &th.brute_force_failures_medical, 100000},
        {"harvest_window", &th.harvest_window, 86400},
        {"harvest_broad_queries", &th.harvest_broad_queries, 100000},
        {"harvest_queries", &th.harvest_queries, 1000000},
    };
    for (const auto& [k, v] : *t) {
      Item* it = nullptr;
      for (Item& i : items) {
        if (k.str() == i.key) it = &i;
      }
      if (!it) fail(path, v.source(), "unknown setting 'thresholds." + std::string(k.str()) + "'");
      *it->field = positive(path, v, "thresholds." + std::string(k.str()), it->max);
    }
  }
  if (const toml::node* n = root.get("allow")) {
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) fail(path, n->source(), "allow: expected [[allow]] tables");
    for (const toml::node& e : *a) {
      const toml::table& t = *e.as_table();
      check_keys(path, t, "allow", {"rule", "src", "dst", "reason"});
      Allow al;
      al.line = static_cast<int>(e.source().begin.line);
      const toml::node* r = t.get("rule");
      if (!r) fail(path, e.source(), "allow: every entry needs a rule (a rule name or \"*\")");
      al.rule = rule_or_fail(path, *r, "allow.rule", true);
      if (const toml::node* s = t.get("src")) al.src = ranges(path, *s, "allow.src");
      if (const toml::node* d = t.get("dst")) al.dst = ranges(path, *d, "allow.dst");
      if (const toml::node* why = t.get("reason")) {
        auto s = why->value<std::string>();
        if (!s) fail(path, why->source(), "allow.reason: expected text in quotes");
        al.reason = *s;
      }
      if (al.src.empty() && al.dst.empty())
        fail(path, e.source(), "allow: an entry needs src or dst (use disabled_rules to turn a rule off)");
      c.allow.push_back(std::move(al));
    }
  }
  return c;
}

}  // namespace ms::detect
