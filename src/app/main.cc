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
#include "app/segment_cmd.h"
#include "app/report_cmd.h"
#include "app/risk_cmd.h"
#include "console/console.h"
#include "dissectors/dissector.h"

namespace {

constexpr const char* kUsage =
    "usage: medsentry analyze CAPTURE... [-o OUTDIR] [--workers N] [--max-flows N]\n"
    "                         [--progress|--no-progress] [--quiet]\n"
    "                         [--phi-key FILE] [--keep-phi] [--disable-dissector NAME]...\n"
    "                         [--db FILE] [--max-devices N] [--no-inventory]\n"
    "                         [--config FILE] [--no-detect]\n"
    "                         [--baseline FILE] [--learn-baseline FILE] [--policy FILE]\n"
    "       medsentry monitor -i IFACE [-i IFACE]... [--bpf EXPR] [--workers N] [-o OUTDIR]\n"
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

int usage_error(const std::string& msg) {
  std::cerr << "medsentry: error: " << msg << " (see 'medsentry --help')\n";
  return 2;
}

bool parse_count(const std::string& s, long long lo, long long hi, long long& out) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  out = std::stoll(s);
  return out >= lo && out <= hi;
}

// A size: digits with an optional k, M or G (powers of 1024).
bool parse_size(const std::string& s, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t mult = 1;
  std::string digits = s;
  switch (s.back()) {
    case 'k': case 'K': mult = 1ull << 10; digits.pop_back(); break;
    case 'M': mult = 1ull << 20; digits.pop_back(); break;
    case 'G': mult = 1ull << 30; digits.pop_back(); break;
    default: break;
  }
  long long n = 0;
  if (!parse_count(digits, 1, 1LL << 40, n)) return false;
  out = static_cast<uint64_t>(n) * mult;
  return out <= (1ull << 50);
}

void on_signal(int) { ms::g_interrupted.store(true); }

void install_signals() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Walks a command's arguments (after the command name); value() takes the
// next one as the current option's value.
class Options {
 public:
  explicit Options(const std::vector<std::string>& args) : args_(args) {}
  bool next() { return ++i_ < args_.size(); }
  const std::string& arg() const { return args_[i_]; }
  bool value(std::string& out) {
    if (i_ + 1 >= args_.size()) return false;
    out = args_[++i_];
    return true;
  }
  // Everything after "--" is an operand.
  std::vector<std::string> rest() {
    std::vector<std::string> r(args_.begin() + static_cast<long>(i_) + 1, args_.end());
    i_ = args_.size();
    return r;
  }

 private:
  const std::vector<std::string>& args_;
  size_t i_ = 0;
};

// An option `analyze` and `monitor` share: 0 when taken, 1 when not one of
// them, else the exit code after the message.
int shared_option(Options& o, const std::string& a, ms::AnalyzeOptions& opt) {
  auto value = [&o](std::string& out) { return o.value(out); };
  std::string v;
  long long n = 0;
  if (a == "-o" || a == "--outdir") {
    if (!value(v) || v.empty()) return usage_error(a + " needs a directory");
    opt.outdir = v;
  } else if (a == "--workers" || a == "-w") {
    if (!value(v)) return usage_error(a + " needs a number");
    if (!parse_count(v, 1, 256, n)) return usage_error("--workers: '" + v + "' is not a number from 1 to 256");
    opt.workers = static_cast<int>(n);
  } else if (a == "--max-flows") {
    if (!value(v)) return usage_error(a + " needs a number");
    if (!parse_count(v, 1, 1'000'000'000, n)) return usage_error("--max-flows: '" + v + "' is not a number from 1 to 1000000000");
    opt.flow.max_flows = static_cast<size_t>(n);
  } else if (a == "--phi-key") {
    if (!value(v) || v.empty()) return usage_error("--phi-key needs a file");
    opt.phi_key = v;
  } else if (a == "--disable-dissector") {
    if (!value(v) || v.empty()) return usage_error("--disable-dissector needs a name");
    bool known = false;
    for (const auto& spec : ms::DissectorRegistry::all()) known |= spec.name == v;
    if (!known) return usage_error("--disable-dissector: no dissector named '" + v + "'");
    opt.flow.disabled_dissectors.push_back(v);
  } else if (a == "--db") {
    if (!value(v) || v.empty()) return usage_error("--db needs a file");
    opt.inventory_db = v;
  } else if (a == "--max-devices") {
    if (!value(v)) return usage_error(a + " needs a number");
    if (!parse_count(v, 1, 100'000'000, n)) return usage_error("--max-devices: '" + v + "' is not a number from 1 to 100000000");
    opt.max_devices = static_cast<size_t>(n);
  } else if (a == "--no-inventory") {
    opt.inventory = false;
  } else if (a == "--config") {
    if (!value(v) || v.empty()) return usage_error("--config needs a file");
    opt.config = v;
  } else if (a == "--no-detect") {
    opt.detect = false;
  } else if (a == "--quiet" || a == "-q") {
    opt.quiet = true;
  } else {
    return 1;
  }
  return 0;
}

int inventory_main(const std::vector<std::string>& args) {
  ms::InventoryOptions opt;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    auto value = [&o](std::string& out) { return o.value(out); };
    std::string v;
    if (a == "--db") {
      if (!value(v) || v.empty()) return usage_error("--db needs a file");
      opt.db_path = v;
    } else if (a == "--format") {
      if (!value(v)) return usage_error("--format needs table, csv or json");
      if (v != "table" && v != "csv" && v != "json") return usage_error("--format: '" + v + "' is not table, csv or json");
      opt.format = v;
    } else if (a == "--type") {
      if (!value(v) || v.empty()) return usage_error("--type needs a device type");
      opt.type = v;
    } else if (a == "--vendor") {
      if (!value(v) || v.empty()) return usage_error("--vendor needs a name");
      opt.vendor = v;
    } else if (a == "--subnet") {
      if (!value(v) || v.empty()) return usage_error("--subnet needs an address range");
      opt.subnet = v;
    } else if (a == "--medical") {
      opt.medical_only = true;
    } else {
      return usage_error("inventory: unknown option '" + a + "'");
    }
  }
  return ms::run_inventory(opt);
}

int alerts_main(const std::vector<std::string>& args) {
  ms::AlertsOptions opt;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    if (a == "--db") {
      if (!o.value(v) || v.empty()) return usage_error("--db needs a file");
      opt.db_path = v;
    } else if (a == "--format") {
      if (!o.value(v)) return usage_error("--format needs table or json");
      if (v != "table" && v != "json") return usage_error("--format: '" + v + "' is not table or json");
      opt.format = v;
    } else if (a == "--severity") {
      if (!o.value(v) || v.empty()) return usage_error("--severity needs info, low, medium, high or critical");
      opt.min_severity = v;
    } else if (a == "--rule") {
      if (!o.value(v) || v.empty()) return usage_error("--rule needs a rule name");
      const auto& names = ms::detect::rule_names();
      if (std::find(names.begin(), names.end(), v) == names.end()) return usage_error("--rule: no rule named '" + v + "'");
      opt.rule = v;
    } else {
      return usage_error("alerts: unknown option '" + a + "'");
    }
  }
  return ms::run_alerts(opt);
}

int monitor_main(const std::vector<std::string>& args) {
  ms::MonitorOptions mo;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    long long n = 0;
    if (int rc = shared_option(o, a, mo.base); rc != 1) {
      if (rc != 0) return rc;
    } else if (a == "-i" || a == "--interface") {
      if (!o.value(v) || v.empty()) return usage_error(a + " needs an interface");
      mo.capture.interfaces.push_back(v);
    } else if (a == "--bpf") {
      if (!o.value(v) || v.empty()) return usage_error("--bpf needs a filter expression");
      mo.capture.bpf = v;
    } else if (a == "--ring-mb") {
      if (!o.value(v) || !parse_count(v, 4, 4096, n)) return usage_error("--ring-mb needs a number from 4 to 4096");
      mo.capture.block_count = static_cast<uint32_t>(n);  // blocks of 1 MiB
    } else if (a == "--user") {
      if (!o.value(v) || v.empty()) return usage_error("--user needs a user name");
      mo.user = v;
    } else if (a == "--rotate-size" || a == "--retain-size") {
      if (!o.value(v) || !parse_size(v, a == "--rotate-size" ? mo.rotate_bytes : mo.retain_bytes))
        return usage_error(a + " needs a size (bytes, or with k, M or G)");
    } else if (a == "--rotate-zstd") {
      mo.rotate_zstd = true;
    } else if (a == "--rotate-interval") {
      if (!o.value(v) || !parse_count(v, 1, 31'536'000, n)) return usage_error("--rotate-interval needs seconds");
      mo.rotate_seconds = static_cast<unsigned>(n);
    } else if (a == "--retain-days") {
      if (!o.value(v) || !parse_count(v, 1, 36500, n)) return usage_error("--retain-days needs days from 1 to 36500");
      mo.retain_days = static_cast<unsigned>(n);
    } else if (a == "--flow-interval") {
      if (!o.value(v) || !parse_count(v, 1, 86400, n)) return usage_error("--flow-interval needs seconds from 1 to 86400");
      mo.flow_interval_s = static_cast<unsigned>(n);
    } else if (a == "--closed-timeout") {
      if (!o.value(v) || !parse_count(v, 0, 600, n)) return usage_error("--closed-timeout needs seconds from 0 to 600");
      mo.closed_timeout_ms = static_cast<unsigned>(n) * 1000;
    } else if (a == "--stats-interval") {
      if (!o.value(v) || !parse_count(v, 1, 86400, n)) return usage_error("--stats-interval needs seconds from 1 to 86400");
      mo.stats_interval = static_cast<unsigned>(n);
    } else {
      return usage_error("monitor: unknown option '" + a + "'");
    }
  }
  if (mo.capture.interfaces.empty()) return usage_error("monitor needs an interface (-i IFACE)");
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
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    if (a == "--db") {
      if (!o.value(v) || v.empty()) return usage_error("--db needs a file");
      opt.db_path = v;
    } else if (a == "--advisories") {
      if (!o.value(v) || v.empty()) return usage_error("--advisories needs a file or directory");
      opt.advisories.push_back(v);
    } else if (a == "--sbom") {
      if (!o.value(v) || v.empty()) return usage_error("--sbom needs a file");
      opt.sboms.push_back(v);
    } else if (a == "--vex") {
      if (!o.value(v) || v.empty()) return usage_error("--vex needs a file");
      opt.vex.push_back(v);
    } else if (a == "--mds2") {
      if (!o.value(v) || v.empty()) return usage_error("--mds2 needs an MDS2 form (XLSX)");
      opt.mds2.push_back(v);
    } else if (a == "--epss") {
      if (!o.value(v) || v.empty()) return usage_error("--epss needs a file");
      opt.epss = v;
    } else if (a == "--kev") {
      if (!o.value(v) || v.empty()) return usage_error("--kev needs a file");
      opt.kev = v;
    } else if (a == "--format") {
      if (!o.value(v)) return usage_error("--format needs table, json or csv");
      if (v != "table" && v != "csv" && v != "json") return usage_error("--format: '" + v + "' is not table, json or csv");
      opt.format = v;
    } else {
      return usage_error("exposure: unknown option '" + a + "'");
    }
  }
  return ms::run_exposure(opt);
}

int risk_main(const std::vector<std::string>& args) {
  ms::RiskOptions opt;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    if (a == "--db") {
      if (!o.value(v) || v.empty()) return usage_error("--db needs a file");
      opt.db_path = v;
    } else if (a == "--format") {
      if (!o.value(v)) return usage_error("--format needs table or json");
      if (v != "table" && v != "json") return usage_error("--format: '" + v + "' is not table or json");
      opt.format = v;
    } else {
      return usage_error("risk: unknown option '" + a + "'");
    }
  }
  return ms::run_risk(opt);
}

int report_main(const std::vector<std::string>& args) {
  ms::ReportOptions opt;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    if (a == "--db") {
      if (!o.value(v) || v.empty()) return usage_error("--db needs a file");
      opt.db_path = v;
    } else if (a == "-o" || a == "--output") {
      if (!o.value(v) || v.empty()) return usage_error(a + " needs a file");
      opt.out = v;
    } else if (a == "--format") {
      if (!o.value(v)) return usage_error("--format needs html or pdf");
      if (v != "html" && v != "pdf") return usage_error("--format: '" + v + "' is not html or pdf");
      opt.format = v;
    } else {
      return usage_error("report: unknown option '" + a + "'");
    }
  }
  if (opt.out.empty()) return usage_error("report needs -o FILE");
  return ms::run_report(opt);
}

int evidence_main(const std::vector<std::string>& args) {
  ms::EvidenceOptions opt;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    if (a == "--db") {
      if (!o.value(v) || v.empty()) return usage_error("--db needs a file");
      opt.db_path = v;
    } else if (a == "-o" || a == "--output") {
      if (!o.value(v) || v.empty()) return usage_error(a + " needs a file");
      opt.out = v;
    } else if (a == "--") {
      for (std::string& c : o.rest()) opt.captures.push_back(std::move(c));
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("evidence: unknown option '" + a + "'");
    } else if (opt.alert_id.empty()) {
      opt.alert_id = a;
    } else {
      opt.captures.push_back(a);
    }
  }
  if (opt.alert_id.empty()) return usage_error("evidence needs an alert id (see 'medsentry alerts')");
  return ms::run_evidence(opt);
}

int console_main(const std::vector<std::string>& args) {
  ms::console::ConsoleOptions opt;
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    std::string v;
    if (a == "--db" || a == "--listen" || a == "--users" || a == "--tls-cert" || a == "--tls-key") {
      if (!o.value(v) || v.empty()) return usage_error(a + " needs a value");
      (a == "--db" ? opt.db_path : a == "--listen" ? opt.listen : a == "--users" ? opt.users_path
                                 : a == "--tls-cert" ? opt.tls_cert : opt.tls_key) = v;
    } else if (a == "--tls" || a == "--no-tls") {
      opt.tls = a == "--tls" ? "on" : "off";
    } else if (a == "--list-routes") {
      ms::console::print_routes();
      return 0;
    } else {
      return usage_error("console: unknown option '" + a + "'");
    }
  }
  return ms::console::run_console(opt);
}

int user_main(const std::vector<std::string>& args) {
  if (args.size() < 3 || (args[1] != "add" && args[1] != "token")) return usage_error("usage: medsentry user add|token NAME --role R");
  std::string name = args[2], role, users;
  bool from_stdin = false;
  std::vector<std::string> rest(args.begin() + 2, args.end());
  for (Options o(rest); o.next();) {
    const std::string& a = o.arg();
    if (a == "--role" || a == "--users") {
      std::string v;
      if (!o.value(v) || v.empty()) return usage_error(a + " needs a value");
      (a == "--role" ? role : users) = v;
    } else if (a == "--password-stdin" && args[1] == "add") {
      from_stdin = true;
    } else {
      return usage_error("user add: unknown option '" + a + "'");
    }
  }
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
  for (Options o(args); o.next();) {
    const std::string& a = o.arg();
    auto value = [&o](std::string& out) { return o.value(out); };
    std::string v;
    if (int rc = shared_option(o, a, opt); rc != 1) {
      if (rc != 0) return rc;
    } else if (a == "--baseline") {
      if (!value(v) || v.empty()) return usage_error("--baseline needs a file");
      opt.baseline = v;
    } else if (a == "--policy") {
      if (!value(v) || v.empty()) return usage_error("--policy needs a file");
      opt.policy = v;
    } else if (a == "--learn-baseline") {
      if (!value(v) || v.empty()) return usage_error("--learn-baseline needs a file");
      opt.learn_baseline = v;
    } else if (a == "--keep-phi") {
      opt.keep_phi = true;
    } else if (a == "--progress") {
      opt.progress = 1;
    } else if (a == "--no-progress") {
      opt.progress = 0;
    } else if (a == "--") {
      for (std::string& c : o.rest()) opt.captures.push_back(std::move(c));
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      opt.captures.push_back(a);
    }
  }
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
