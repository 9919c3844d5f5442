// `medsentry segment`: the command line of src/segment/. Reads the inventory
// database and events.jsonl (or captures, analysed into a private temporary
// directory), writes a policy file, a simulation report or a firewall
// configuration. Never touches a network: the hospital applies the export.
#include "app/segment_cmd.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/analyze.h"
#include "common/json_writer.h"
#include "segment/export.h"
#include "segment/learn.h"

namespace ms {
namespace {

constexpr const char* kUsage =
    "usage: medsentry segment zones [--db FILE] [-o zones.toml]\n"
    "       medsentry segment learn [--db FILE | --zones zones.toml] --events DIR|FILE... [--since T] [--until T]\n"
    "                               [-o policy.toml]\n"
    "       medsentry segment simulate POLICY (--events DIR|FILE | CAPTURE...) [--format table|json]\n"
    "       medsentry segment export POLICY --format F [-o FILE|DIR]\n"
    "         F: nftables, nftables-bridge, iptables, cisco-ios, cisco-asa, paloalto, fortigate,\n"
    "            ise-sgacl, capirca (-o DIR: pol/ and def/)\n";

int fail(const std::string& msg, int code = 1) {
  std::cerr << "medsentry: error: " << msg << "\n";
  return code;
}

int usage(const std::string& msg) { return fail(msg + " (see 'medsentry segment --help')", 2); }

bool write_file(const std::string& path, const std::string& text, std::string& err) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return true;
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o << text;
    if (!o.flush()) {
      err = path + ": cannot write";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = path + ": cannot write";
    return false;
  }
  return true;
}

struct Args {
  std::string db, out, since, until, format, policy, zones;
  std::vector<std::string> events, captures;
};

// Parses the options every subcommand shares; operands go to `captures`
// (the first to `policy` when the subcommand takes one).
bool parse(const std::vector<std::string>& a, bool takes_policy, Args& o, std::string& err) {
  for (size_t i = 2; i < a.size(); ++i) {
    const std::string& s = a[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= a.size() || a[i + 1].empty()) {
        err = s + " needs a value";
        return false;
      }
      v = a[++i];
      return true;
    };
    std::string v;
    if (s == "--db") {
      if (!value(o.db)) return false;
    } else if (s == "-o" || s == "--output") {
      if (!value(o.out)) return false;
    } else if (s == "--zones") {
      if (!value(o.zones)) return false;
    } else if (s == "--since") {
      if (!value(o.since)) return false;
    } else if (s == "--until") {
      if (!value(o.until)) return false;
    } else if (s == "--format") {
      if (!value(o.format)) return false;
    } else if (s == "--events") {
      if (!value(v)) return false;
      o.events.push_back(v);
    } else if (!s.empty() && s[0] == '-') {
      err = "segment " + a[1] + ": unknown option '" + s + "'";
      return false;
    } else if (takes_policy && o.policy.empty()) {
      o.policy = s;
    } else {
      o.captures.push_back(s);
    }
  }
  return true;
}

bool read_all_events(const Args& o, seg::Traffic& t, std::string& err) {
  for (const std::string& e : o.events)
    if (!seg::read_events(e, o.since, o.until, t, err)) return false;
  return true;
}

int zones_main(const Args& o) {
  std::vector<seg::DeviceRec> devs;
  std::string err;
  if (!seg::read_devices(o.db, devs, err)) return fail(err);
  if (!write_file(o.out, seg::write_policy_toml(seg::propose_zones(devs)), err)) return fail(err);
  return 0;
}

int learn_main(const Args& o) {
  if (o.events.empty()) return usage("segment learn needs --events (an analysis' events.jsonl or its directory)");
  if (!o.captures.empty()) return usage("segment learn: unexpected operand '" + o.captures[0] + "'");
  if (!o.zones.empty() && !o.db.empty()) return usage("segment learn takes --db or --zones, not both");
  std::vector<seg::DeviceRec> devs;
  seg::Policy zones;
  seg::Traffic t;
  std::string err;
  bool ok = o.zones.empty() ? seg::read_devices(o.db, devs, err) : seg::read_policy(o.zones, zones, err);
  if (!ok || !read_all_events(o, t, err)) return fail(err);
  seg::Policy p = o.zones.empty() ? seg::learn(devs, t) : seg::learn_with_zones(zones, t);
  if (!write_file(o.out, seg::write_policy_toml(p), err)) return fail(err);
  if (!o.out.empty() && o.out != "-")
    std::cerr << "medsentry: " << p.zones.size() << " zones, " << p.rules.size() << " rules from " << t.flows.size()
              << " flows written to " << o.out << "\n";
  return 0;
}

// Captures are analysed into a private temporary directory (no inventory:
// a what-if must not change the hospital's inventory), then read back.
bool analyse_captures(const Args& o, seg::Traffic& t, std::string& err) {
  char dir[] = "/tmp/medsentry-simulate-XXXXXX";
  if (!mkdtemp(dir)) {
    err = "cannot create a temporary directory";
    return false;
  }
  AnalyzeOptions a;
  a.captures = o.captures;
  a.outdir = dir;
  a.inventory = false;
  a.quiet = true;
  a.progress = 0;
  int rc = run_analyze(a);
  bool ok = rc == 0 && seg::read_events(dir, o.since, o.until, t, err);
  if (rc != 0) err = "the analysis of the captures failed";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return ok;
}

// Grouped by clinical workflow (else service), clinical ones first, then by
// device: what would break, and for whom.
void print_table(const seg::Simulation& s) {
  std::cout << s.flows << " flows: " << s.allowed << " allowed, " << s.link_control
            << " IPv6 neighbour discovery (always allowed), " << s.denied.size() << " denied conversations\n";
  std::vector<const seg::Denied*> v;
  for (const seg::Denied& d : s.denied) v.push_back(&d);
  auto group = [](const seg::Denied* d) {
    return d->workflow.empty() ? seg::service_name(d->app, d->proto, d->port) : d->workflow;
  };
  std::stable_sort(v.begin(), v.end(), [&](const seg::Denied* a, const seg::Denied* b) {
    if (a->clinical != b->clinical) return a->clinical;
    return group(a) < group(b);
  });
  std::string last;
  for (const seg::Denied* d : v) {
    std::string g = (d->clinical ? "clinical: " : "") + group(d);
    if (g != last) std::cout << "== " << g << "\n";
    last = g;
    std::cout << "deny " << d->src << " (" << d->src_zone << ") -> " << d->dst << " (" << d->dst_zone << ") "
              << d->proto << "/" << d->port << " " << seg::service_name(d->app, d->proto, d->port)
              << " flows=" << d->flows;
    if (!d->admin_shares.empty()) std::cout << " admin_share=" << d->admin_shares << " (not learned for this rule)";
    std::cout << "\n";
  }
  for (const seg::AlertRec* a : s.prevented)
    std::cout << "prevents alert " << a->id << " " << a->rule << " (" << a->severity << ") " << a->src << " -> "
              << a->dst << "\n";
}

void print_json(const seg::Simulation& s) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().kv("flows", s.flows).kv("allowed", s.allowed).kv("link_control", s.link_control);
  w.kv("clinical_workflow_denied", s.clinical_denied).key("denied").begin_array();
  for (const seg::Denied& d : s.denied) {
    w.begin_object().kv("src_ip", d.src).kv("dest_ip", d.dst).kv("proto", d.proto).kv("port", d.port);
    w.kv("service", seg::service_name(d.app, d.proto, d.port)).kv("src_zone", d.src_zone).kv("dest_zone", d.dst_zone);
    w.kv("workflow", d.workflow).kv("clinical", d.clinical).kv("flows", d.flows).kv("bytes", d.bytes);
    w.kv("first_seen", d.first_seen);
    // Why: no rule allows the conversation, or its rule allows it but not
    // a tree connect to an administrative share (docs/segmentation.md).
    if (d.admin_shares.empty()) w.kv("reason", "no rule");
    else w.kv("reason", "administrative share not learned for this rule").kv("admin_shares", d.admin_shares);
    w.end_object();
  }
  w.end_array().key("prevented_alerts").begin_array();
  for (const seg::AlertRec* a : s.prevented)
    w.begin_object().kv("id", a->id).kv("rule", a->rule).kv("severity", a->severity).kv("src_ip", a->src).kv("dest_ip", a->dst).end_object();
  w.end_array().end_object();
  std::cout << out << "\n";
}

int simulate_main(const Args& o) {
  if (o.policy.empty()) return usage("segment simulate needs a policy file");
  if (o.events.empty() == o.captures.empty()) return usage("segment simulate needs --events or captures (not both)");
  if (!o.format.empty() && o.format != "table" && o.format != "json") return usage("--format: table or json");
  seg::Policy p;
  seg::Traffic t;
  std::string err;
  if (!seg::read_policy(o.policy, p, err)) return fail(err);
  bool ok = o.events.empty() ? analyse_captures(o, t, err) : read_all_events(o, t, err);
  if (!ok) return fail(err);
  seg::Simulation s = seg::simulate(p, t);
  if (o.format == "json") print_json(s);
  else print_table(s);
  // 0: nothing denied; 3: only non-clinical flows denied; 4: a clinical
  // workflow would break (docs/segmentation.md "Simulation").
  return s.denied.empty() ? 0 : s.clinical_denied ? 4 : 3;
}

int export_main(const Args& o) {
  if (o.policy.empty()) return usage("segment export needs a policy file");
  if (o.format.empty()) return usage("segment export needs --format");
  seg::Policy p;
  std::string err;
  if (!seg::read_policy(o.policy, p, err)) return fail(err);
  std::vector<seg::ExportFile> files;
  if (!seg::export_policy(p, o.format, files, err)) return usage(err);
  if (files.size() == 1) return write_file(o.out, files[0].text, err) ? 0 : fail(err);
  if (o.out.empty()) return usage("--format " + o.format + " writes several files: -o DIR");
  for (const seg::ExportFile& f : files) {
    std::string path = o.out + "/" + f.name;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (!write_file(path, f.text, err)) return fail(err);
  }
  return 0;
}

}  // namespace

int run_segment(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
    (args.size() < 2 ? std::cerr : std::cout) << kUsage;
    return args.size() < 2 ? 2 : 0;
  }
  const std::string& sub = args[1];
  bool takes_policy = sub == "simulate" || sub == "export";
  Args o;
  std::string err;
  if (sub != "zones" && sub != "learn" && !takes_policy) return usage("segment: unknown subcommand '" + sub + "'");
  if (!parse(args, takes_policy, o, err)) return usage(err);
  if (sub == "zones") return zones_main(o);
  if (sub == "learn") return learn_main(o);
  if (sub == "simulate") return simulate_main(o);
  return export_main(o);
}

}  // namespace ms
