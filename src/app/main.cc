// The medsentry command line.
#include <sqlite3.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "app/alerts_cmd.h"
#include "app/analyze.h"
#include "detect/config.h"
#include "app/exposure_cmd.h"
#include "app/inventory_cmd.h"
#include "app/monitor.h"
#include "app/options.h"
#include "app/segment_cmd.h"
#include "app/report_cmd.h"
#include "app/risk_cmd.h"
#include "console/console.h"
#include "dissectors/dissector.h"

namespace {

using ms::Options;
using ms::usage_error;

constexpr const char* kUsage =
    "usage: medsentry analyze CAPTURE... [-o OUTDIR] [--workers N] [--max-flows N]\n"
    "                         [--progress|--no-progress] [--quiet]\n"
    "                         [--phi-key FILE] [--keep-phi] [--disable-dissector NAME]...\n"
    "                         [--db FILE] [--max-devices N] [--no-inventory]\n"
    "                         [--config FILE] [--no-detect]\n"
    "                         [--baseline FILE] [--learn-baseline FILE] [--policy FILE]\n"
    "       medsentry monitor -i IFACE [-i IFACE]... | --read CAPTURE [--bpf EXPR] [--workers N] [-o OUTDIR]\n"
    "                         [--db FILE] [--config FILE] [--ring-mb N] [--stats-interval S]\n"
    "                         [--closed-timeout S] [--flow-interval S] [--user NAME]\n"
    "                         [--rotate-size SIZE] [--rotate-interval S] [--rotate-zstd]\n"
    "                         [--retain-size SIZE] [--retain-days D]\n"
    "                         [--phi-key FILE] [--max-flows N] [--max-devices N]\n"
    "                         [--disable-dissector NAME]... [--no-inventory] [--no-detect] [--quiet]\n"
    "       medsentry inventory [--db FILE] [--format table|csv|json] [--type T] [--vendor V]\n"
    "                           [--subnet CIDR] [--medical]\n"
    "       medsentry alerts [--db FILE] [--severity S] [--rule R] [--format table|json]\n"
    "       medsentry evidence ALERT_ID [--db FILE] [-o FILE] [CAPTURE...]\n"
    "       medsentry segment zones|learn|simulate|export ... (medsentry segment --help)\n"
    "       medsentry exposure [--db FILE] [--advisories DIR|FILE]... [--sbom [MAKER;MODEL[;VERSION]=]FILE]...\n"
    "                          [--vex [MAKER;MODEL[;VERSION]=]FILE]... [--mds2 [MAKER;MODEL=]FILE]...\n"
    "                          [--kev FILE] [--epss FILE]\n"
    "                          [--format table|json|csv]\n"
    "       medsentry risk [--db FILE] [--format table|json]\n"
    "       medsentry report [--db FILE] [--format html|pdf] -o FILE\n"
    "       medsentry console [--db FILE] [--listen 127.0.0.1:8080] [--users FILE] [--list-routes]\n"
    "                         [--tls|--no-tls] [--tls-cert FILE --tls-key FILE]\n"
    "       medsentry user add NAME --role viewer|analyst|admin [--users FILE] [--password-stdin]\n"
    "       medsentry user token NAME --role viewer|analyst|admin [--users FILE]\n"
    "       medsentry --version | --help\n"
    "\n"
    "analyze   reads pcap/pcapng files (several are merged in timestamp order) and\n"
    "          writes OUTDIR/events.jsonl and OUTDIR/medsentry.db (default OUTDIR:\n"
    "          ./medsentry-out). --workers defaults to the number of cores;\n"
    "          --max-flows (default 1000000) caps the flows tracked at once.\n"
    "          Patient names, IDs and birth dates are written as keyed tokens; the key\n"
    "          is --phi-key (default $MEDSENTRY_PHI_KEY or ~/.config/medsentry/phi.key,\n"
    "          created on first use). --keep-phi writes them in clear.\n"
    "          --disable-dissector turns one dissector off (dicom, hl7, http, ...).\n"
    "          Every run updates the device inventory --db (default $MEDSENTRY_DB or\n"
    "          ~/.local/share/medsentry/inventory.db); --max-devices (default 100000)\n"
    "          caps the devices held in memory; --no-inventory skips it.\n"
    "          The detections raise `alert` events and store them next to the\n"
    "          devices; --config (default $MEDSENTRY_CONFIG) sets internal networks,\n"
    "          known archives, thresholds and allow-lists (docs/detections.md);\n"
    "          --no-detect skips them. --learn-baseline writes what each host\n"
    "          talks to in this run; --baseline compares a run with such a file.\n"
    "          --policy raises a policy_violation alert for every conversation a\n"
    "          segmentation policy (medsentry segment) would deny.\n"
    "\n"
    "monitor   captures live from network interfaces (a SPAN port, a TAP) until\n"
    "          SIGTERM or SIGINT, through the same stages as analyze; never sends.\n"
    "          SIGHUP reloads the --config file (the devices and counts are kept).\n"
    "          Writes OUTDIR/live-YYYYMMDDTHHMMSSZ/ per run; the inventory and the\n"
    "          alerts are updated about every second. --bpf filters (tcpdump syntax);\n"
    "          --ring-mb (default 64) is each interface's ring; --stats-interval\n"
    "          (default 60) the seconds between stats events (kernel drops);\n"
    "          --closed-timeout (default 1) how long a closed TCP connection waits\n"
    "          for stragglers before its flow record (analyze: 10); --flow-interval\n"
    "          (default 300) how often a lasting flow reports (analyze: 3600). --user runs as\n"
    "          that user once the sockets are open. --rotate-size/--rotate-interval\n"
    "          start new event files (events-YYYYMMDDTHHMMSS.jsonl and .db, UTC;\n"
    "          --rotate-zstd compresses the finished JSON lines with zstd);\n"
    "          --retain-size/--retain-days remove the oldest finished ones.\n"
    "          --read CAPTURE runs the same stages on a capture file at CPU speed,\n"
    "          paced by the packets' time, and stops at its end (long runs in\n"
    "          minutes: bench/soak.sh --read).\n"
    "\n"
    "inventory lists the devices of the inventory: an aligned table, or CSV/JSON\n"
    "          for tools; --type and --vendor match part of the name, --subnet an\n"
    "          address range, --medical only medical devices.\n"
    "\n"
    "alerts    lists the alerts of the inventory database, most severe first;\n"
    "          --severity S shows S and above (info, low, medium, high, critical).\n"
    "\n"
    "segment   proposes zones, learns an allow-list from the traffic, simulates it\n"
    "          and exports it for firewalls (docs/segmentation.md); never applies it.\n"
    "\n"
    "evidence  writes the packets of an alert's flows to a pcap (default\n"
    "          alert-ID.pcap), read from the captures the alert came from.\n"
    "\n"
    "exposure  loads CSAF 2.0 advisories (files, or directories walked for\n"
    "          *.json), CycloneDX SBOMs and VEX documents into the inventory\n"
    "          database, and links every device to the advisories and\n"
    "          vulnerabilities that apply to it: affected, possibly affected\n"
    "          (version unknown), fixed, not affected (VEX), with the evidence\n"
    "          and the advisory's remediations. An SBOM or VEX belongs to the\n"
    "          device its metadata.component names, or to MAKER;MODEL[;VERSION].\n"
    "          --kev loads CISA's KEV catalog (known exploited vulnerabilities),\n"
    "          --epss FIRST's EPSS scores (CSV).\n"
    "          Later runs reuse what was loaded (docs/exposure.md).\n"
    "\n"
    "risk      ranks the devices top risk first: a score from the linked\n"
    "          vulnerabilities (CVSS, KEV), the device's clinical role and what it\n"
    "          exposes, every factor shown, and the next action.\n"
    "\n"
    "report    writes the HIPAA risk analysis (ranked risks, vulnerable devices\n"
    "          and their makers, default and cleartext passwords, end-of-life\n"
    "          systems, where patient data flows; date, scope, method) as HTML,\n"
    "          or PDF through WeasyPrint.\n"
    "\n"
    "console   serves the web console and its JSON API from the inventory database\n"
    "          (docs/console.md); HTTPS on any address but loopback (a self-signed\n"
    "          certificate is made on first start unless --tls-cert/--tls-key name\n"
    "          one); accounts are in --users (default\n"
    "          $MEDSENTRY_CONSOLE_USERS or ~/.config/medsentry/console-users), written\n"
    "          by 'user add' (the password is generated and printed once, or read\n"
    "          from standard input with --password-stdin); 'user token' makes a\n"
    "          read-only API token for scripts (Authorization: Bearer TOKEN).\n";

void on_signal(int) { ms::g_interrupted.store(true); }

void install_signals() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// The options `analyze` and `monitor` share: true when the current argument
// is one of them (taken, or o.failed() after its message).
bool shared_option(Options& o, ms::AnalyzeOptions& opt) {
  if (o.is("--disable-dissector")) {
    std::string v;
    if (!o.value(v) || v.empty()) return o.fail("--disable-dissector needs a name");
    bool known = false;
    for (const auto& spec : ms::DissectorRegistry::all()) known |= spec.name == v;
    if (!known) return o.fail("--disable-dissector: no dissector named '" + v + "'");
    opt.flow.disabled_dissectors.push_back(v);
    return true;
  }
  return o.text("-o|--outdir", "a directory", opt.outdir) || o.count("--workers|-w", 1, 256, opt.workers) ||
         o.count("--max-flows", 1, 1'000'000'000, opt.flow.max_flows) || o.text("--phi-key", "a file", opt.phi_key) ||
         o.text("--db", "a file", opt.inventory_db) || o.count("--max-devices", 1, 100'000'000, opt.max_devices) ||
         o.flag("--no-inventory", opt.inventory, false) || o.text("--config", "a file", opt.config) ||
         o.flag("--no-detect", opt.detect, false) || o.flag("--quiet|-q", opt.quiet);
}

int inventory_main(const std::vector<std::string>& args) {
  ms::InventoryOptions opt;
  Options o(args);
  while (o.next()) {
    if (!(o.text("--db", "a file", opt.db_path) || o.choice("--format", {"table", "csv", "json"}, opt.format) ||
          o.text("--type", "a device type", opt.type) || o.text("--vendor", "a name", opt.vendor) ||
          o.text("--subnet", "an address range", opt.subnet) || o.flag("--medical", opt.medical_only)))
      return o.unknown("inventory");
  }
  return o.failed() ? 2 : ms::run_inventory(opt);
}

int alerts_main(const std::vector<std::string>& args) {
  ms::AlertsOptions opt;
  Options o(args);
  while (o.next()) {
    if (o.text("--rule", "a rule name", opt.rule)) {
      const auto& names = ms::detect::rule_names();
      if (!o.failed() && std::find(names.begin(), names.end(), opt.rule) == names.end())
        o.fail("--rule: no rule named '" + opt.rule + "'");
    } else if (!(o.text("--db", "a file", opt.db_path) || o.choice("--format", {"table", "json"}, opt.format) ||
                 o.text("--severity", "info, low, medium, high or critical", opt.min_severity))) {
      return o.unknown("alerts");
    }
  }
  return o.failed() ? 2 : ms::run_alerts(opt);
}

int monitor_main(const std::vector<std::string>& args) {
  ms::MonitorOptions mo;
  Options o(args);
  unsigned closed_timeout_s = mo.closed_timeout_ms / 1000;
  while (o.next()) {
    if (!(shared_option(o, mo.base) || o.texts("-i|--interface", "an interface", mo.capture.interfaces) ||
          o.text("--bpf", "a filter expression", mo.capture.bpf) ||
          o.count("--ring-mb", 4, 4096, mo.capture.block_count) ||  // blocks of 1 MiB
          o.text("--user", "a user name", mo.user) || o.text("--read", "a capture file", mo.read_file) || o.size("--rotate-size", mo.rotate_bytes) ||
          o.size("--retain-size", mo.retain_bytes) || o.flag("--rotate-zstd", mo.rotate_zstd) ||
          o.count("--rotate-interval", 1, 31'536'000, mo.rotate_seconds) ||
          o.count("--retain-days", 1, 36500, mo.retain_days) || o.count("--flow-interval", 1, 86400, mo.flow_interval_s) ||
          o.count("--closed-timeout", 0, 600, closed_timeout_s) ||
          o.count("--stats-interval", 1, 86400, mo.stats_interval)))
      return o.unknown("monitor");
  }
  if (o.failed()) return 2;
  mo.closed_timeout_ms = closed_timeout_s * 1000;
  if (mo.capture.interfaces.empty() == mo.read_file.empty())
    return usage_error("monitor needs an interface (-i IFACE) or a capture (--read FILE), not both");
  if (!mo.read_file.empty() && !mo.capture.bpf.empty()) return usage_error("monitor: --bpf applies to interfaces, not --read");
  if (mo.base.config.empty()) {
    const char* env = std::getenv("MEDSENTRY_CONFIG");
    if (env && *env) mo.base.config = env;
  }
  install_signals();
  struct sigaction hup;
  std::memset(&hup, 0, sizeof hup);
  hup.sa_handler = [](int) { ms::g_reload.store(true); };
  sigaction(SIGHUP, &hup, nullptr);
  return ms::run_monitor(mo);
}

int exposure_main(const std::vector<std::string>& args) {
  ms::ExposureOptions opt;
  Options o(args);
  while (o.next()) {
    if (!(o.text("--db", "a file", opt.db_path) || o.texts("--advisories", "a file or directory", opt.advisories) ||
          o.texts("--sbom", "a file", opt.sboms) || o.texts("--vex", "a file", opt.vex) ||
          o.texts("--mds2", "an MDS2 form (XLSX)", opt.mds2) || o.text("--epss", "a file", opt.epss) ||
          o.text("--kev", "a file", opt.kev) || o.choice("--format", {"table", "json", "csv"}, opt.format)))
      return o.unknown("exposure");
  }
  return o.failed() ? 2 : ms::run_exposure(opt);
}

int risk_main(const std::vector<std::string>& args) {
  ms::RiskOptions opt;
  Options o(args);
  while (o.next()) {
    if (!(o.text("--db", "a file", opt.db_path) || o.choice("--format", {"table", "json"}, opt.format)))
      return o.unknown("risk");
  }
  return o.failed() ? 2 : ms::run_risk(opt);
}

int report_main(const std::vector<std::string>& args) {
  ms::ReportOptions opt;
  Options o(args);
  while (o.next()) {
    if (!(o.text("--db", "a file", opt.db_path) || o.text("-o|--output", "a file", opt.out) ||
          o.choice("--format", {"html", "pdf"}, opt.format)))
      return o.unknown("report");
  }
  if (o.failed()) return 2;
  if (opt.out.empty()) return usage_error("report needs -o FILE");
  return ms::run_report(opt);
}

int evidence_main(const std::vector<std::string>& args) {
  ms::EvidenceOptions opt;
  Options o(args);
  while (o.next()) {
    const std::string& a = o.arg();
    if (o.text("--db", "a file", opt.db_path) || o.text("-o|--output", "a file", opt.out)) continue;
    if (a == "--") {
      for (std::string& c : o.rest()) opt.captures.push_back(std::move(c));
    } else if (!a.empty() && a[0] == '-') {
      return o.unknown("evidence");
    } else if (opt.alert_id.empty()) {
      opt.alert_id = a;
    } else {
      opt.captures.push_back(a);
    }
  }
  if (o.failed()) return 2;
  if (opt.alert_id.empty()) return usage_error("evidence needs an alert id (see 'medsentry alerts')");
  return ms::run_evidence(opt);
}

int console_main(const std::vector<std::string>& args) {
  ms::console::ConsoleOptions opt;
  Options o(args);
  while (o.next()) {
    if (o.is("--tls|--no-tls")) {
      opt.tls = o.arg() == "--tls" ? "on" : "off";
    } else if (o.is("--list-routes")) {
      ms::console::print_routes();
      return 0;
    } else if (!(o.text("--db", "a value", opt.db_path) || o.text("--listen", "a value", opt.listen) ||
                 o.text("--users", "a value", opt.users_path) || o.text("--tls-cert", "a value", opt.tls_cert) ||
                 o.text("--tls-key", "a value", opt.tls_key))) {
      return o.unknown("console");
    }
  }
  return o.failed() ? 2 : ms::console::run_console(opt);
}

int user_main(const std::vector<std::string>& args) {
  if (args.size() < 3 || (args[1] != "add" && args[1] != "token")) return usage_error("usage: medsentry user add|token NAME --role R");
  std::string name = args[2], role, users;
  bool from_stdin = false;
  std::vector<std::string> rest(args.begin() + 2, args.end());
  Options o(rest);
  while (o.next()) {
    if (!(o.text("--role", "a value", role) || o.text("--users", "a value", users) ||
          (args[1] == "add" && o.flag("--password-stdin", from_stdin))))
      return o.unknown("user add");
  }
  if (o.failed()) return 2;
  if (role.empty()) return usage_error("user add needs --role viewer, analyst or admin");
  return ms::console::run_user_add(users, name, role, from_stdin, args[1] == "token");
}

}  // namespace

int main(int argc, char** argv) {
  // SQLite counts every allocation under a global mutex unless told not to;
  // nothing here reads those statistics. Must precede any other SQLite call.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "medsentry " << MEDSENTRY_VERSION << "\n";
    return 0;
  }
  if (args[0] == "inventory") return inventory_main(args);
  if (args[0] == "alerts") return alerts_main(args);
  if (args[0] == "evidence") return evidence_main(args);
  if (args[0] == "monitor") return monitor_main(args);
  if (args[0] == "segment") return ms::run_segment(args);
  if (args[0] == "exposure") return exposure_main(args);
  if (args[0] == "risk") return risk_main(args);
  if (args[0] == "report") return report_main(args);
  if (args[0] == "console") return console_main(args);
  if (args[0] == "user") return user_main(args);
  if (args[0] != "analyze") return usage_error("unknown command '" + args[0] + "'");

  ms::AnalyzeOptions opt;
  Options o(args);
  while (o.next()) {
    const std::string& a = o.arg();
    if (shared_option(o, opt) || o.text("--baseline", "a file", opt.baseline) || o.text("--policy", "a file", opt.policy) ||
        o.text("--learn-baseline", "a file", opt.learn_baseline) || o.flag("--keep-phi", opt.keep_phi))
      continue;
    if (a == "--progress" || a == "--no-progress") {
      opt.progress = a == "--progress" ? 1 : 0;
    } else if (a == "--") {
      for (std::string& c : o.rest()) opt.captures.push_back(std::move(c));
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      opt.captures.push_back(a);
    }
  }
  if (o.failed()) return 2;
  if (opt.captures.empty()) return usage_error("analyze needs at least one capture file");
  if (!opt.detect && (!opt.baseline.empty() || !opt.learn_baseline.empty() || !opt.policy.empty()))
    return usage_error("--baseline, --learn-baseline and --policy need the detections (drop --no-detect)");
  if (opt.config.empty()) {
    const char* env = std::getenv("MEDSENTRY_CONFIG");
    if (env && *env) opt.config = env;
  }

  install_signals();
  return ms::run_analyze(opt);
}
