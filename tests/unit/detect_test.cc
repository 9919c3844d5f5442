// The detections: the configuration file (every error a line with the file
// and line number), and each rule's threshold and severity from both sides of
// its boundary, with synthetic events as the dissectors write them. The lab
// (tests/integration/test_lab.py) checks the rules on real traffic.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "common/json_reader.h"
#include "detect/config.h"
#include "detect/engine.h"
#include "detect/rule.h"
#include "dissectors/arp/arp_events.h"
#include "dissectors/credential.h"
#include "dissectors/dicom/dicom_events.h"
#include "dissectors/hl7/hl7_events.h"
#include "dissectors/http/http_events.h"
#include "dissectors/smb/smb_events.h"
#include "dissectors/telnet/telnet_events.h"
#include "dissectors/tls/tls_events.h"
#include "inventory/inventory.h"

namespace {

using namespace ms;
using namespace ms::detect;

constexpr TimeNs kSec = 1'000'000'000LL;

std::string write_file(const std::string& text) {
  char path[] = "/tmp/ms-detect-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

std::string config_error(const std::string& text) {
  std::string p = write_file(text);
  try {
    load_config(p);
  } catch (const ConfigError& e) {
    unlink(p.c_str());
    std::string m = e.what();
    EXPECT_EQ(m.rfind(p, 0), 0u) << m;  // starts with the file name
    return m.substr(p.size());
  }
  unlink(p.c_str());
  return "no error";
}

// Every rule registers itself from its file (src/detect/rules/): the
// registry, not a hand-written list, says which alerts exist and which event
// types the engine reads.
TEST(DetectRegistry, EveryRuleRegisteredOnceWithWhatItWants) {
  const std::vector<std::string> expected = {
      "scan", "lateral_movement", "default_credential", "weak_password", "cleartext_login", "brute_force",
      "phi_cleartext", "phi_exfiltration", "dicom_harvest", "dicom_exec_preamble", "remote_shell_commands",
      "insecure_service", "smb1", "legacy_tls", "eol_os", "new_peer", "new_service", "new_external_network",
      "volume_spike", "new_order_source", "new_dicom_ae", "dos", "policy_violation"};
  EXPECT_EQ(rule_names(), expected);
  int last_sid = 0;
  for (const RuleInfo& r : RuleRegistry::infos()) {
    EXPECT_GT(r.sid, last_sid) << r.rule;  // unique, ordered signature ids
    last_sid = r.sid;
    EXPECT_TRUE(*r.name && *r.category) << r.rule;
  }
  for (const auto& rule : RuleRegistry::make_all()) {
    EXPECT_FALSE(rule->alerts().empty());
    EXPECT_FALSE(rule->wants().empty()) << rule->alerts().front().rule;
  }
  for (const char* t : {"flow", "credential", "telnet", "hl7", "dicom", "dicom_command", "dicom_file", "fhir", "http",
                        "tls", "smb", "snmp", "ftp", "flood"})
    EXPECT_TRUE(Engine::wanted(t)) << t;
  for (const char* t : {"dns", "dhcp", "ssdp", "stats", ""}) EXPECT_FALSE(Engine::wanted(t)) << t;
}

TEST(DetectConfig, Defaults) {
  Config c = default_config();
  EXPECT_TRUE(c.is_internal("10.1.2.3"));
  EXPECT_TRUE(c.is_internal("192.168.0.9"));
  EXPECT_TRUE(c.is_internal("fd00::1"));
  EXPECT_FALSE(c.is_internal("203.0.113.5"));
  EXPECT_FALSE(c.is_internal("2001:db8::1"));
  EXPECT_EQ(c.thresholds.scan_hosts, 25u);
  EXPECT_TRUE(c.rule_enabled("scan"));
}

TEST(DetectConfig, ReadsEverySetting) {
  std::string p = write_file(R"(disabled_rules = ["insecure_service"]
[networks]
internal = ["10.0.0.0/8", "203.0.113.0/24"]
[known]
pacs = ["10.1.1.5", "10.1.2.0/28"]
[thresholds]
scan_window = 60
brute_force_failures = 3
harvest_queries = 100
[[allow]]
rule = "cleartext_login"
src = "10.5.0.7"
dst = ["10.6.0.0/16"]
reason = "the LIS FTP drop, replacement ordered"
[[allow]]
rule = "*"
dst = "10.9.9.9"
)");
  Config c = load_config(p);
  unlink(p.c_str());
  EXPECT_TRUE(c.is_internal("203.0.113.5"));
  EXPECT_FALSE(c.is_internal("192.168.1.1"));  // replaced, not added to
  EXPECT_TRUE(c.is_pacs("10.1.2.7"));
  EXPECT_FALSE(c.is_pacs("10.1.2.17"));
  EXPECT_FALSE(c.rule_enabled("insecure_service"));
  EXPECT_EQ(c.thresholds.scan_window, 60u);
  EXPECT_EQ(c.thresholds.brute_force_failures, 3u);
  EXPECT_EQ(c.thresholds.harvest_queries, 100u);
  EXPECT_EQ(c.thresholds.scan_hosts, 25u);  // untouched
  ASSERT_NE(c.allowed("cleartext_login", "10.5.0.7", "10.6.3.3"), nullptr);
  EXPECT_EQ(c.allowed("cleartext_login", "10.5.0.7", "10.6.3.3")->reason, "the LIS FTP drop, replacement ordered");
  EXPECT_EQ(c.allowed("cleartext_login", "10.5.0.8", "10.6.3.3"), nullptr);
  EXPECT_EQ(c.allowed("weak_password", "10.5.0.7", "10.6.3.3"), nullptr);
  EXPECT_NE(c.allowed("scan", "1.2.3.4", "10.9.9.9"), nullptr);
}

TEST(DetectConfig, EveryMistakeIsOneLineWithItsLine) {
  EXPECT_EQ(config_error("[networks]\ninternal = [\"10.0.0.0/33\"]\n"),
            ":2: networks.internal: '10.0.0.0/33' is not an address or range (10.1.0.0/16, fd00::/8)");
  EXPECT_EQ(config_error("[thresholds]\nscan_hosts = 0\n"), ":2: thresholds.scan_hosts: 0 is not from 1 to 1000000");
  EXPECT_EQ(config_error("[thresholds]\nscan_host = 3\n"), ":2: unknown setting 'thresholds.scan_host'");
  EXPECT_EQ(config_error("[thresholds]\nscan_hosts = \"many\"\n"), ":2: thresholds.scan_hosts: expected a whole number");
  EXPECT_EQ(config_error("[thresholds]\nscan_hosts = 2.5\n"), ":2: thresholds.scan_hosts: expected a whole number");
  EXPECT_EQ(config_error("\n\n[network]\n"), ":3: unknown setting 'network'");
  EXPECT_EQ(config_error("disabled_rules = [\"scans\"]\n").substr(0, 40), ":1: disabled_rules: no rule named 'scans");
  EXPECT_EQ(config_error("[[allow]]\nrule = \"scan\"\n"),
            ":1: allow: an entry needs src or dst (use disabled_rules to turn a rule off)");
  EXPECT_EQ(config_error("[[allow]]\nsrc = \"10.0.0.1\"\n"), ":1: allow: every entry needs a rule (a rule name or \"*\")");
  EXPECT_EQ(config_error("[networks]\ninternal = []\n"), ":2: networks.internal: at least one range");
  std::string syntax = config_error("[thresholds\n");
  EXPECT_EQ(syntax.rfind(":1: ", 0), 0u) << syntax;
  EXPECT_EQ(syntax.find('\n'), std::string::npos) << syntax;
  try {
    load_config("/nonexistent/medsentry.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/medsentry.toml: cannot read", 0), 0u) << e.what();
  }
}

// A typed event (the struct the rules read, its JSON written by its own
// writer), as the dissectors make it: only what the rules read.
template <typename T>
Event typed(const std::string& type, const std::string& src, const std::string& dst, std::unique_ptr<T> t, TimeNs ts,
            uint64_t flow = 1) {
  Envelope env;
  env.ts = ts;
  env.flow_id = flow;
  env.src_ip = src;
  env.dest_ip = dst;
  env.proto = "TCP";
  env.src_port = 40000;
  env.dest_port = 23;
  env.has_ports = true;
  return make_event(env, type, std::move(t));
}

// An HL7 ORU^R01 result carrying patient data, from the lab analyzer
// 10.0.0.41 to the LIS 10.0.0.20, on connection `flow`.
Event phi_result(TimeNs ts, uint64_t flow) {
  auto h = std::make_unique<hl7::Hl7Event>();
  h->message_type = "ORU";
  h->trigger_event = "R01";
  h->phi = true;
  return typed("hl7", "10.0.0.41", "10.0.0.20", std::move(h), ts, flow);
}

Event hl7_message(const std::string& src, const std::string& dst, const char* type, const char* trigger, TimeNs ts) {
  auto h = std::make_unique<hl7::Hl7Event>();
  h->message_type = type;
  h->trigger_event = trigger;
  h->phi = true;
  h->patient_name = "phi:abcdef0123456789";
  return typed("hl7", src, dst, std::move(h), ts);
}

Event association(const std::string& src, const std::string& dst, const std::string& calling, const std::string& called,
                  TimeNs ts) {
  auto d = std::make_unique<dicom::DicomEvent>();
  d->have_rq = d->have_ac = true;
  d->rq.calling_ae = calling;
  d->rq.called_ae = called;
  return typed("dicom", src, dst, std::move(d), ts);
}

Event cred(const std::string& src, const std::string& dst, const std::string& result, bool is_default,
           const std::string& strength, TimeNs ts, const std::string& protocol = "telnet", uint64_t flow = 1) {
  auto c = std::make_unique<CredentialEvent>();
  c->protocol = protocol;
  c->method = protocol == "http" ? "basic" : "login_prompt";
  c->username = "root";
  c->password_seen = true;
  c->password_strength = strength == "strong" ? "strong" : strength == "empty" ? "empty" : "weak";  // static strings
  c->default_credential = is_default;
  c->result = result;
  return typed("credential", src, dst, std::move(c), ts, flow);
}

Event telnet_session(const std::string& src, const std::string& dst, const char* banner,
                     std::vector<std::string> commands) {
  auto t = std::make_unique<telnet::TelnetEvent>();
  if (banner) t->banner = banner;
  t->login_result = "success";
  t->commands = std::move(commands);
  return typed("telnet", src, dst, std::move(t), kSec);
}

Event tls_session(const std::string& src, const std::string& dst, const char* version, const char* sni) {
  auto t = std::make_unique<tls::TlsEvent>();
  t->version = version;
  t->sni = sni;
  return typed("tls", src, dst, std::move(t), kSec);
}

Event smb_command(const std::string& src, const std::string& dst, const char* command, int version,
                  const char* dialect, const char* share = nullptr) {
  auto s = std::make_unique<smb::SmbEvent>();
  s->command = command;
  s->version = version;
  s->dialect = dialect;
  s->status = "STATUS_SUCCESS";
  if (share) s->share = share;
  return typed("smb", src, dst, std::move(s), kSec);
}

Event http_page(const std::string& src, const std::string& dst, int status, const char* title) {
  auto h = std::make_unique<http::HttpEvent>();
  h->response = true;
  h->status = status;
  h->title = title;
  return typed("http", src, dst, std::move(h), kSec);
}

Event flow(const std::string& src, const std::string& dst, uint16_t dport, TimeNs ts, bool data = false,
           const std::string& proto = "TCP", uint64_t id = 0) {
  Event e;
  e.event_type = "flow";
  e.src_ip = src;
  e.dest_ip = dst;
  e.proto = proto;
  e.ts = ts;
  static uint64_t next = 1000;
  e.flow_id = id ? id : ++next;
  auto r = std::make_unique<FlowRow>();
  r->flow_id = e.flow_id;
  r->src_ip = src;
  r->dest_ip = dst;
  r->proto = proto;
  r->src_port = 50000;
  r->dest_port = dport;
  r->start = ts;
  r->end = ts + kSec / 100;
  r->tcp_flags[0] = 0x02;
  r->tcp_flags[1] = 0x14;
  r->data[0] = r->data[1] = data;
  if (proto == "ICMP") r->icmp_type = 8;
  if (proto == "UDP") r->pkts_toclient = data ? 1 : 0;
  e.flow = std::move(r);
  return e;
}

template <typename... T>
std::vector<Event> events(T&&... x) {
  std::vector<Event> v;
  (v.push_back(std::move(x)), ...);
  return v;
}

Facts facts() {
  Facts f;
  auto add = [&](const char* ip, const char* type, bool medical) {
    DeviceFacts d;
    d.id = std::string("ip:") + ip;
    d.type = type;
    d.medical = medical;
    d.manufacturer = "Maker";
    f[ip] = d;
  };
  add("10.0.0.70", "infusion pump", true);
  add("10.0.0.41", "patient monitor", true);
  add("10.0.0.20", "PACS/archive", true);
  add("10.0.0.31", "imaging workstation", true);
  add("10.0.0.30", "general workstation/server", false);
  add("10.0.0.9", "unknown", false);
  f["10.0.0.9"].mac_vendor = "GE Healthcare";  // unidentified, but a medical maker's interface
  add("10.0.0.8", "unknown", false);
  f["10.0.0.8"].mac_vendor = "Dell Inc.";
  add("10.0.0.1", "network infrastructure", false);
  return f;
}

std::vector<Alert> run(const std::vector<Event>& events, const Config& cfg = default_config()) {
  Engine eng(cfg);
  for (const Event& e : events) eng.add(e);
  return eng.finish(facts());
}

std::vector<Alert> of(const std::vector<Alert>& a, const std::string& rule) {
  std::vector<Alert> out;
  std::copy_if(a.begin(), a.end(), std::back_inserter(out), [&](const Alert& x) { return x.rule == rule; });
  return out;
}

TEST(DetectRules, DefaultCredentialSeverityFollowsTheDevice) {
  std::vector<Event> e = events(cred("10.0.0.30", "10.0.0.70", "success", true, "empty", kSec),
                          cred("10.0.0.30", "10.0.0.41", "success", true, "weak", kSec),
                          cred("10.0.0.30", "10.0.0.8", "success", true, "weak", kSec),
                          cred("10.0.0.30", "10.0.0.9", "failure", true, "weak", kSec),
                          cred("10.0.0.30", "10.0.0.41", "success", true, "weak", kSec, "snmp"));
  auto a = of(run(e), "default_credential");
  ASSERT_EQ(a.size(), 4u);
  auto sev = [&](const std::string& dst, const std::string& proto) {
    for (const Alert& x : a) {
      if (x.dest_ip == dst && x.protocol == proto) return std::string(severity_name(x.severity));
    }
    return std::string("none");
  };
  EXPECT_EQ(sev("10.0.0.70", "telnet"), "critical");  // an infusion pump
  EXPECT_EQ(sev("10.0.0.41", "telnet"), "high");      // a monitor
  EXPECT_EQ(sev("10.0.0.8", "telnet"), "medium");     // not a medical device
  EXPECT_EQ(sev("10.0.0.9", "telnet"), "none");       // the default was refused
  EXPECT_EQ(sev("10.0.0.41", "snmp"), "medium");      // a read community on a medical device
}

TEST(DetectRules, WeakAndCleartextLogins) {
  std::vector<Event> e = events(cred("10.0.0.30", "10.0.0.41", "success", false, "weak", kSec, "http"),
                          cred("10.0.0.30", "10.0.0.8", "success", false, "weak", kSec, "ftp"),
                          cred("10.0.0.30", "10.0.0.9", "failure", false, "strong", kSec, "ftp"),
                          cred("10.0.0.30", "10.0.0.41", "success", false, "weak", kSec, "ntlmssp"));
  auto all = run(e);
  auto weak = of(all, "weak_password");
  ASSERT_EQ(weak.size(), 3u);  // http, ftp, ntlmssp; the failed login proves nothing about an account
  auto clear = of(all, "cleartext_login");
  // To the monitor over HTTP Basic and to the medical maker's device over
  // FTP (failed or not, the password crossed in clear): medium; to the Dell:
  // low; NTLMSSP puts no password on the wire.
  ASSERT_EQ(clear.size(), 3u);
  for (const Alert& a : clear) {
    EXPECT_EQ(a.severity, a.dest_ip == "10.0.0.8" ? Severity::kLow : Severity::kMedium) << a.dest_ip;
    EXPECT_NE(a.protocol, "ntlmssp");
  }
}

TEST(DetectRules, BruteForceNeedsTheThresholdInTheWindow) {
  auto attempts = [](const char* dst, int failures, bool success, TimeNs step) {
    std::vector<Event> e;
    for (int i = 0; i < failures; ++i)
      e.push_back(cred("10.0.0.30", dst, "failure", false, "weak", kSec + i * step, "telnet", 1 + i / 3));
    if (success) e.push_back(cred("10.0.0.30", dst, "success", false, "weak", kSec + failures * step));
    return e;
  };
  // A host nobody calls medical (the Dell): the enterprise threshold, 5.
  EXPECT_TRUE(of(run(attempts("10.0.0.8", 4, true, kSec)), "brute_force").empty());
  auto five = of(run(attempts("10.0.0.8", 5, false, kSec)), "brute_force");
  ASSERT_EQ(five.size(), 1u);
  EXPECT_EQ(five[0].severity, Severity::kMedium);
  EXPECT_EQ(five[0].count, 5u);
  auto then = of(run(attempts("10.0.0.8", 5, true, kSec)), "brute_force");
  ASSERT_EQ(then.size(), 1u);
  EXPECT_EQ(then[0].severity, Severity::kHigh);
  EXPECT_NE(then[0].json.find("\"success_after_failures\":true"), std::string::npos);
  EXPECT_EQ(then[0].flows_total, 2u);  // the guesser reconnected after three tries
  // Five failures an hour apart: not in one 10-minute window.
  EXPECT_TRUE(of(run(attempts("10.0.0.8", 5, true, 3600 * kSec)), "brute_force").empty());
  Config c = default_config();
  c.thresholds.brute_force_failures = 3;
  EXPECT_EQ(of(run(attempts("10.0.0.8", 4, true, kSec), c), "brute_force").size(), 1u);
  // A patient monitor (issue 15): a typo and a retry are no attack, three
  // failures in seconds are (brute_force_failures_medical).
  EXPECT_TRUE(of(run(attempts("10.0.0.41", 2, true, kSec)), "brute_force").empty());
  auto device = of(run(attempts("10.0.0.41", 3, false, kSec)), "brute_force");
  ASSERT_EQ(device.size(), 1u);
  EXPECT_NE(device[0].json.find("\"threshold\":3"), std::string::npos) << device[0].json;
}

// An ARP request (who-has `target`, from `sender`) as the arp dissector
// gives it.
Event arp_request(const std::string& sender, const std::string& target, TimeNs ts) {
  auto a = std::make_unique<arp::ArpEvent>();
  a->claim.op = 1;
  a->claim.sender_ip = sender;
  a->claim.target_ip = target;
  a->claim.sender_mac = "00:14:22:00:00:30";
  return typed("arp", sender, target, std::move(a), ts);
}

TEST(DetectRules, ScanThresholdsAndProbes) {
  // IT infrastructure (a router polling): Zeek's enterprise thresholds, 24
  // hosts on one port below the 25-host sweep.
  std::vector<Event> sweep;
  for (int i = 0; i < 24; ++i) sweep.push_back(flow("10.0.0.1", "10.0.1." + std::to_string(i + 1), 445, kSec + i));
  EXPECT_TRUE(of(run(sweep), "scan").empty());
  sweep.push_back(flow("10.0.0.1", "10.0.1.100", 445, 2 * kSec));
  auto a = of(run(sweep), "scan");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::kMedium);  // nobody medical involved
  EXPECT_EQ(a[0].count, 25u);
  // A workstation on a clinical network (issue 15): 9 hosts below, 10 a sweep.
  std::vector<Event> ws;
  for (int i = 0; i < 9; ++i) ws.push_back(flow("10.0.0.30", "10.0.1." + std::to_string(i + 1), 445, kSec + i));
  EXPECT_TRUE(of(run(ws), "scan").empty());
  ws.push_back(flow("10.0.0.30", "10.0.1.100", 445, 2 * kSec));
  EXPECT_EQ(of(run(ws), "scan").size(), 1u);
  // 7 ports on a pump: below; 8: a port scan of a medical device, high.
  std::vector<Event> ports;
  for (int i = 0; i < 7; ++i) ports.push_back(flow("10.0.0.30", "10.0.0.70", static_cast<uint16_t>(20 + i), kSec + i));
  EXPECT_TRUE(of(run(ports), "scan").empty());
  ports.push_back(flow("10.0.0.30", "10.0.0.70", 8080, 3 * kSec));
  a = of(run(ports), "scan");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::kHigh);
  EXPECT_EQ(a[0].dest_ip, "10.0.0.70");  // one host: named
  // A medical device (the monitor) should probe nothing: 3 targets below, 4 a scan.
  std::vector<Event> dev;
  for (int i = 0; i < 3; ++i) dev.push_back(flow("10.0.0.41", "10.0.0.20", static_cast<uint16_t>(20 + i), kSec + i));
  EXPECT_TRUE(of(run(dev), "scan").empty());
  dev.push_back(flow("10.0.0.41", "10.0.0.8", 445, 2 * kSec));
  a = of(run(dev), "scan");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::kHigh);
  EXPECT_NE(a[0].json.find("\"source_role\":\"medical device\""), std::string::npos) << a[0].json;
  // Connections that exchanged data are work, not probes.
  std::vector<Event> work;
  for (int i = 0; i < 40; ++i) work.push_back(flow("10.0.0.30", "10.0.1." + std::to_string(i + 1), 104, kSec + i, true));
  EXPECT_TRUE(of(run(work), "scan").empty());
  // An ICMP sweep and unanswered UDP count like SYNs.
  std::vector<Event> icmp;
  for (int i = 0; i < 30; ++i) icmp.push_back(flow("10.0.0.30", "10.0.2." + std::to_string(i + 1), 0, kSec + i, false, "ICMP"));
  EXPECT_EQ(of(run(icmp), "scan").size(), 1u);
  std::vector<Event> udp;
  for (int i = 0; i < 30; ++i) udp.push_back(flow("10.0.0.30", "10.0.3." + std::to_string(i + 1), 161, kSec + i, false, "UDP"));
  EXPECT_EQ(of(run(udp), "scan").size(), 1u);
  // The same 25 hosts spread over an hour: no 5-minute window holds them.
  std::vector<Event> slow;
  for (int i = 0; i < 25; ++i) slow.push_back(flow("10.0.0.30", "10.0.1." + std::to_string(i + 1), 445, i * 150 * kSec));
  EXPECT_TRUE(of(run(slow), "scan").empty());
  // An ARP sweep is discovery: 12 addresses the workstation never reached.
  std::vector<Event> arps;
  for (int i = 0; i < 12; ++i) arps.push_back(arp_request("10.0.0.30", "10.0.4." + std::to_string(i + 1), kSec + i));
  a = of(run(arps), "scan");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].protocol, "arp");
  // ARP for the hosts it then talks with is how it reaches them, not a sweep.
  std::vector<Event> reached;
  for (int i = 0; i < 12; ++i) {
    reached.push_back(arp_request("10.0.0.30", "10.0.5." + std::to_string(i + 1), kSec + i));
    reached.push_back(flow("10.0.0.30", "10.0.5." + std::to_string(i + 1), 104, kSec + i, true));
  }
  EXPECT_TRUE(of(run(reached), "scan").empty());
}

TEST(DetectRules, ResultDoesNotDependOnEventOrder) {
  // Built afresh for each order (same flow ids): a typed event's struct moves,
  // it is not copied.
  auto make = [] {
    std::vector<Event> e;
    for (int i = 0; i < 40; ++i)
      e.push_back(flow("10.0.0.30", "10.0.1." + std::to_string(i % 30 + 1), 445 + i % 3, kSec + i * kSec / 10, false,
                       "TCP", 1001 + i));
    for (int i = 0; i < 6; ++i) e.push_back(cred("10.0.0.30", "10.0.0.41", i == 5 ? "success" : "failure", false, "weak", kSec + i, "telnet", 7 + i));
    return e;
  };
  auto json_of = [](const std::vector<Alert>& a) {
    std::string s;
    for (const Alert& x : a) s += x.json + "\n";
    return s;
  };
  std::string want = json_of(run(make()));
  ASSERT_NE(want.find("\"rule\":\"scan\""), std::string::npos);
  ASSERT_NE(want.find("\"rule\":\"brute_force\""), std::string::npos);
  std::mt19937 rng(7);
  for (int k = 0; k < 5; ++k) {
    std::vector<Event> e = make();
    std::vector<Event> shuffled;
    std::vector<size_t> idx(e.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::shuffle(idx.begin(), idx.end(), rng);
    for (size_t i : idx) shuffled.push_back(std::move(e[i]));
    EXPECT_EQ(json_of(run(shuffled)), want);
  }
}

Event query(const std::string& src, const std::string& match_id, TimeNs ts, uint64_t flow) {
  auto c = std::make_unique<dicom::DicomCommandEvent>();
  c->field = 0x0020;                               // C-FIND-RQ
  c->sop_class = "1.2.840.10008.5.1.4.1.2.2.1";  // Study Root Query/Retrieve Information Model - FIND
  c->level = "STUDY";
  c->keys = {{"PatientName", "wildcard", "phi:1"}, {"PatientID", match_id, ""}};
  return typed("dicom_command", src, "10.0.0.20", std::move(c), ts, flow);
}

TEST(DetectRules, DicomHarvest) {
  auto broad = [](const std::string& src, int n) {
    std::vector<Event> e;
    for (int i = 0; i < n; ++i) e.push_back(query(src, "universal", kSec + i, 100 + i));
    return e;
  };
  EXPECT_TRUE(of(run(broad("10.0.0.30", 2)), "dicom_harvest").empty());
  auto a = of(run(broad("10.0.0.30", 3)), "dicom_harvest");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::kHigh);
  EXPECT_EQ(a[0].json.find("phi:"), std::string::npos);  // the query's values never reach the alert
  a = of(run(broad("10.0.0.31", 3)), "dicom_harvest");  // a radiology workstation: still told, lower
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::kMedium);
  Config c = default_config();
  Range r;
  r.text = "10.0.0.30";
  parse_cidr(r.text, r.cidr);
  c.pacs.push_back(r);
  EXPECT_TRUE(of(run(broad("10.0.0.30", 30), c), "dicom_harvest").empty());  // an archive's own traffic
  // Queries by patient ID are work, until there are very many of them.
  std::vector<Event> narrow;
  for (int i = 0; i < 24; ++i) narrow.push_back(query("10.0.0.30", "single", kSec + i, 200 + i));
  EXPECT_TRUE(of(run(narrow), "dicom_harvest").empty());
  narrow.push_back(query("10.0.0.30", "single", 30 * kSec, 300));
  EXPECT_EQ(of(run(narrow), "dicom_harvest").size(), 1u);
}

TEST(DetectRules, PatientDataInClearAndLeaving) {
  auto hl7 = [](const std::string& dst, TimeNs ts) { return hl7_message("10.0.0.30", dst, "ADT", "A01", ts); };
  std::vector<Event> e = events(hl7("10.0.0.20", kSec), hl7("10.0.0.20", 2 * kSec), hl7("198.51.100.7", 3 * kSec));
  auto all = run(e);
  auto clear = of(all, "phi_cleartext");
  ASSERT_EQ(clear.size(), 2u);  // once per pair and protocol, with the count
  EXPECT_EQ(clear[0].count, 2u);
  EXPECT_NE(clear[0].json.find("\"messages\":2"), std::string::npos);
  EXPECT_NE(clear[0].json.find("\"ADT^A01\""), std::string::npos);
  auto out = of(all, "phi_exfiltration");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dest_ip, "198.51.100.7");
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  for (const Alert& a : all) EXPECT_EQ(a.json.find("phi:"), std::string::npos) << a.json;
  // The same destination declared internal: no exfiltration.
  Config c = default_config();
  Range r;
  r.text = "198.51.100.0/24";
  parse_cidr(r.text, r.cidr);
  c.internal.push_back(r);
  EXPECT_TRUE(of(run(e, c), "phi_exfiltration").empty());
}

TEST(DetectRules, ExecutablePreambleShellCommandsExposure) {
  auto file = [](const char* transport, const char* preamble, const char* sop_class) {
    auto f = std::make_unique<dicom::DicomFileEvent>();
    f->transport = transport;
    f->preamble = preamble;
    f->sop_class = sop_class;
    return typed("dicom_file", "10.0.0.30", "10.0.0.20", std::move(f), kSec);
  };
  std::vector<Event> e = events(
      file("smb", "pe", "1.2.840.10008.5.1.4.1.1.2"),  // CT Image Storage
      file("http", "tiff", ""),
      telnet_session("10.0.0.30", "10.0.0.70", "PCA", {"cat /etc/pump.conf", "exit"}),
      telnet_session("10.0.0.30", "10.0.0.8", nullptr, {"ls"}),
      tls_session("10.0.0.31", "10.0.0.20", "TLS 1.0", "pacs"),
      tls_session("10.0.0.31", "10.0.0.20", "TLS 1.2", "pacs"),
      smb_command("10.0.0.31", "10.0.0.20", "negotiate", 1, "NT LM 0.12"),
      smb_command("10.0.0.31", "10.0.0.20", "negotiate", 2, "3.1.1"),
      http_page("10.0.0.30", "10.0.0.41", 200, "Monitor"),
      http_page("10.0.0.30", "10.0.0.20", 200, "PACS"));
  auto all = run(e);
  auto pre = of(all, "dicom_exec_preamble");
  ASSERT_EQ(pre.size(), 1u);
  EXPECT_EQ(pre[0].protocol, "smb");
  EXPECT_EQ(pre[0].severity, Severity::kCritical);
  auto sh = of(all, "remote_shell_commands");
  ASSERT_EQ(sh.size(), 1u);  // the pump's, not the Dell's
  EXPECT_EQ(sh[0].severity, Severity::kCritical);
  EXPECT_NE(sh[0].json.find("cat /etc/pump.conf"), std::string::npos);
  EXPECT_EQ(of(all, "legacy_tls").size(), 1u);
  EXPECT_EQ(of(all, "smb1").size(), 1u);
  auto exp = of(all, "insecure_service");
  // The pump's telnet and the monitor's web page; not the archive's web
  // page (a server IT runs), not the Dell.
  ASSERT_EQ(exp.size(), 2u);
  for (const Alert& a : exp) EXPECT_EQ(a.severity, Severity::kInfo);
}

TEST(DetectRules, AllowListAndDisabledRules) {
  std::vector<Event> e = events(cred("10.0.0.30", "10.0.0.70", "success", true, "empty", kSec));
  Config c = default_config();
  Allow al;
  al.rule = "default_credential";
  Range r;
  r.text = "10.0.0.70";
  parse_cidr(r.text, r.cidr);
  al.dst.push_back(r);
  c.allow.push_back(al);
  Engine eng(c);
  for (const Event& x : e) eng.add(x);
  auto a = eng.finish(facts());
  EXPECT_TRUE(of(a, "default_credential").empty());
  EXPECT_FALSE(of(a, "cleartext_login").empty());  // only the named rule is silenced
  EXPECT_EQ(eng.stats().allowed, 1u);
  c = default_config();
  c.disabled_rules = {"cleartext_login"};
  a = run(e, c);
  EXPECT_TRUE(of(a, "cleartext_login").empty());
  EXPECT_FALSE(of(a, "default_credential").empty());
}

TEST(DetectRules, AlertsAreStableValidAndStoredPerCapture) {
  std::vector<Event> e = events(cred("10.0.0.30", "10.0.0.70", "success", true, "empty", kSec));
  auto a1 = run(e), a2 = run(e);
  ASSERT_FALSE(a1.empty());
  EXPECT_EQ(a1[0].id, a2[0].id);
  EXPECT_EQ(a1[0].id.size(), 16u);
  for (const Event& x : alert_events(a1)) {
    JsonValue v;
    ASSERT_EQ(parse_json(x.json, v), nullptr) << x.json;
    const JsonValue* alert = v.get("alert");
    ASSERT_NE(alert, nullptr);
    const JsonValue* resp = alert->get("response");
    ASSERT_NE(resp, nullptr);
    ASSERT_GE(resp->items.size(), 3u);
    EXPECT_EQ(resp->items[0].str().rfind("identify: ", 0), 0u);
  }
  // A re-run of the same capture replaces its alerts; another capture's stay.
  inv::Options o;
  o.db_path = ":memory:";
  o.capture_key = "a";
  inv::Inventory inv(o);
  store_alerts(inv.db(), inv.capture_id(), a1);
  store_alerts(inv.db(), inv.capture_id(), a1);
  store_alerts(inv.db(), inv.capture_id() + 1, run(events(cred("10.0.0.30", "10.0.0.41", "success", true, "weak", kSec))));
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(inv.db().handle(), "SELECT count(*) FROM alerts", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), static_cast<int>(a1.size()) + 2);  // the monitor's default and cleartext login
  sqlite3_finalize(st);
}

}  // namespace

namespace {

Event session(const std::string& src, const std::string& dst, uint16_t port, const std::string& app) {
  Event e = flow(src, dst, port, kSec, true);
  e.flow->answered = true;
  e.flow->app_proto = app;
  e.flow->tcp_flags[0] = e.flow->tcp_flags[1] = 0x1b;
  return e;
}

TEST(DetectRules, LateralMovement) {
  auto all = run(events(session("10.0.0.9", "10.0.0.8", 22, "ssh"),     // a medical maker's device starts SSH
                        session("10.0.0.30", "10.0.0.70", 23, "telnet"),  // a workstation telnets to a pump
                        session("10.0.0.30", "10.0.0.8", 3389, ""),       // IT's RDP to a Dell: not ours to judge
                        session("10.0.0.30", "10.0.0.20", 22, "ssh"),     // to the archive (a server IT runs)
                        session("10.0.0.41", "10.0.0.20", 8022, "http"),  // not remote administration
                        smb_command("10.0.0.30", "10.0.0.70", "tree_connect", 2, "3.1.1", "\\\\10.0.0.70\\ADMIN$"),
                        smb_command("10.0.0.30", "10.0.0.8", "tree_connect", 2, "3.1.1", "\\\\10.0.0.8\\IPC$")));
  auto lm = of(all, "lateral_movement");
  ASSERT_EQ(lm.size(), 3u);
  std::map<std::string, Severity> got;
  for (const Alert& a : lm) got[a.src_ip + ">" + a.dest_ip + "/" + a.protocol] = a.severity;
  EXPECT_EQ(got["10.0.0.9>10.0.0.8/ssh"], Severity::kHigh);
  EXPECT_EQ(got["10.0.0.30>10.0.0.70/telnet"], Severity::kMedium);
  EXPECT_EQ(got["10.0.0.30>10.0.0.70/smb"], Severity::kHigh);
  // A configured management host administers devices without an alert.
  Config c = default_config();
  Range r;
  r.text = "10.0.0.30";
  parse_cidr(r.text, r.cidr);
  c.management.push_back(r);
  EXPECT_TRUE(of(run(events(session("10.0.0.30", "10.0.0.70", 23, "telnet")), c), "lateral_movement").empty());
}

}  // namespace

namespace {

TEST(DetectBaseline, FileRoundTripAndErrors) {
  Baseline b;
  b.hosts["10.0.0.30"] = 12345;
  b.peers.emplace("10.0.0.30", "10.0.0.20 tcp/104");
  b.externals.emplace("10.0.0.30", "198.51.100.0/24");
  b.orders.emplace("10.0.0.70", "10.0.0.65 RDE");
  b.aes.emplace("10.0.0.9", "RAD WS 1");
  std::string p = write_file("");
  save_baseline(p, b, "test");
  Baseline r = load_baseline(p);
  EXPECT_EQ(r.hosts, b.hosts);
  EXPECT_EQ(r.peers, b.peers);
  EXPECT_EQ(r.externals, b.externals);
  EXPECT_EQ(r.orders, b.orders);
  EXPECT_EQ(r.aes, b.aes);
  EXPECT_TRUE(r.knows_peer("10.0.0.30", "10.0.0.20"));
  EXPECT_FALSE(r.knows_peer("10.0.0.30", "10.0.0.2"));  // a prefix of the address is not the address
  unlink(p.c_str());
  auto error = [](const std::string& text) {
    std::string f = write_file(text);
    try {
      load_baseline(f);
    } catch (const ConfigError& e) {
      unlink(f.c_str());
      return std::string(e.what()).substr(f.size());
    }
    unlink(f.c_str());
    return std::string("no error");
  };
  EXPECT_EQ(error("host\t10.0.0.1\t5\n").substr(0, 29), ":1: not a medsentry baseline ");
  EXPECT_EQ(error(""), ": empty file, not a medsentry baseline");
  const std::string head = "# medsentry baseline 1\n";
  EXPECT_EQ(error(head + "peer\t10.0.0.1\t10.0.0.2\ttcp/70000\n"),
            ":2: expected host, peer, external, order or ae with tab-separated fields");
  EXPECT_EQ(error(head + "order\t10.0.0.1\t10.0.0.2\trde\n"),
            ":2: expected host, peer, external, order or ae with tab-separated fields");
  EXPECT_EQ(error(head + "host\t10.0.0.1\tmany\n"), ":2: host: the busiest hour's bytes must be a number");
  EXPECT_EQ(error(head + "external\t10.0.0.1\tsomewhere\n"), ":2: external: 'somewhere' is not a network");
  EXPECT_EQ(error(head + std::string(2000, 'x') + "\n"), ":2: line longer than 1024 bytes");
  EXPECT_EQ(external_network("198.51.100.77"), "198.51.100.0/24");
  EXPECT_EQ(external_network("2001:db8:1:2::5"), "2001:db8:1::/48");
}

}  // namespace

namespace {

TEST(DetectBaseline, OrdersAndAeTitlesFromNewSources) {
  auto rde = [](const std::string& src, TimeNs ts) {
    return hl7_message(src, "10.0.0.70", "RDE", "O11", ts);
  };
  auto assoc = [](const std::string& ae, TimeNs ts) {
    return association("10.0.0.31", "10.0.0.9", ae, "CT01", ts);
  };
  Config c = default_config();
  c.baseline.learning_period = 600;
  // Learned: the pharmacy's orders, RADWS1's associations. Then a workstation
  // sends an order and a new AE title associates.
  auto all = run(events(rde("10.0.0.65", kSec), assoc("RADWS1", kSec), rde("10.0.0.65", 700 * kSec),
                        rde("10.0.0.30", 800 * kSec), assoc("RADWS1", 800 * kSec), assoc("EVIL", 900 * kSec)),
                 c);
  auto orders = of(all, "new_order_source");
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].src_ip, "10.0.0.30");
  EXPECT_EQ(orders[0].severity, Severity::kCritical);  // an infusion pump
  EXPECT_NE(orders[0].json.find("\"baseline_senders\":[\"10.0.0.65 RDE\"]"), std::string::npos);
  auto aes = of(all, "new_dicom_ae");
  ASSERT_EQ(aes.size(), 1u);
  EXPECT_NE(aes[0].json.find("\"calling_ae\":\"EVIL\""), std::string::npos);
  EXPECT_EQ(aes[0].severity, Severity::kMedium);
  // Without a learning period or a baseline: nothing to compare with.
  EXPECT_TRUE(of(run(events(rde("10.0.0.30", kSec))), "new_order_source").empty());
}

}  // namespace

namespace {

TEST(DetectRules, PatientDataToUnknownAeTitles) {
  auto store = [](const std::string& called) {
    auto d = std::make_unique<dicom::DicomEvent>();
    d->have_rq = d->have_ac = true;
    d->rq.calling_ae = "CT01";
    d->rq.called_ae = called;
    d->commands["C-STORE-RQ"] = 2;
    d->patients.insert("phi:0123456789abcdef");
    return typed("dicom", "10.0.0.9", "10.0.0.20", std::move(d), kSec);
  };
  auto m = std::make_unique<dicom::DicomCommandEvent>();
  m->field = 0x0021;  // C-MOVE-RQ
  m->move_destination = "ELSEWHERE";
  auto move = typed("dicom_command", "10.0.0.31", "10.0.0.20", std::move(m), kSec);
  Config c = default_config();
  EXPECT_TRUE(of(run(events(store("ANYONE")), c), "phi_exfiltration").empty());  // no list: not judged
  c.ae_titles = {"PACS", "CT01"};
  EXPECT_TRUE(of(run(events(store("PACS")), c), "phi_exfiltration").empty());
  auto a = of(run(events(store("ANYONE"), std::move(move)), c), "phi_exfiltration");
  ASSERT_EQ(a.size(), 2u);
  for (const Alert& x : a) EXPECT_EQ(x.severity, Severity::kHigh);  // inside the hospital
}

}  // namespace

// The live monitor judges while the run goes on (Engine::judge_now): the
// same alerts finish() would give at that point, repeatable, not counted in
// the stats; SIGHUP's set_config changes the next judgement only.
TEST(DetectLive, JudgeNowIsFinishWithoutCountingAndReloads) {
  std::vector<Event> e;
  for (int i = 0; i < 25; ++i) e.push_back(flow("10.0.0.30", "10.0.1." + std::to_string(i + 1), 445, kSec + i));
  std::vector<Event> more = events(cred("10.0.0.30", "10.0.0.70", "success", true, "empty", 40 * kSec));
  Engine eng(default_config());
  for (size_t i = 0; i < 5; ++i) eng.add(e[i]);
  EXPECT_TRUE(eng.judge_now(facts()).empty());  // 5 hosts: no scan yet
  for (size_t i = 5; i < e.size(); ++i) eng.add(e[i]);
  for (const Event& x : more) eng.add(x);
  auto a1 = eng.judge_now(facts());
  auto a2 = eng.judge_now(facts());
  EXPECT_EQ(eng.stats().alerts, 0u);
  ASSERT_EQ(a1.size(), a2.size());
  EXPECT_EQ(of(a1, "scan").size(), 1u);
  EXPECT_EQ(of(a1, "default_credential").size(), 1u);
  Config c = default_config();
  c.disabled_rules = {"default_credential"};
  eng.set_config(c);
  auto a3 = eng.judge_now(facts());
  EXPECT_TRUE(of(a3, "default_credential").empty());
  EXPECT_EQ(of(a3, "scan").size(), 1u);
  eng.set_config(default_config());
  auto fin = eng.finish(facts());
  ASSERT_EQ(fin.size(), a1.size());
  for (size_t i = 0; i < fin.size(); ++i) {
    EXPECT_EQ(fin[i].id, a1[i].id);
    EXPECT_EQ(fin[i].json, a1[i].json);
  }
  EXPECT_EQ(eng.stats().alerts, fin.size());
}

namespace {

// The live monitor's expiry (detect/expiry.h): by packet time, what the rules
// keep about activity older than the longest window goes after a judgement;
// an attack within the window still fires, and an activity that goes on
// keeps its alert as `analyze` would give it.

// Judges and expires after every event, as LiveDetect does; every alert any
// judgement raised, in its last state, by id (what the monitor wrote).
std::map<std::string, Alert> live(const std::vector<Event>& events, const Config& cfg = default_config()) {
  Engine eng(cfg);
  std::map<std::string, Alert> seen;
  for (const Event& e : events) {
    eng.add(e);
    for (Alert& a : eng.judge_now(facts())) seen[a.id] = std::move(a);
    eng.expire();
  }
  return seen;
}

std::vector<Alert> of(const std::map<std::string, Alert>& m, const std::string& rule) {
  std::vector<Alert> out;
  for (const auto& kv : m) {
    if (kv.second.rule == rule) out.push_back(kv.second);
  }
  return out;
}

// Time passing on the network: answered flows between two hosts no rule cares
// about (a host the baseline never saw; not a probe), every `step` seconds.
std::vector<Event> quiet(TimeNs from, TimeNs to, TimeNs step) {
  std::vector<Event> v;
  for (TimeNs t = from; t < to; t += step) {
    Event f = flow("10.0.0.31", "10.0.0.20", 104, t, true);
    f.flow->answered = true;
    v.push_back(std::move(f));
  }
  return v;
}

TEST(DetectExpiry, StateGoesOnceOlderThanTheLongestWindow) {
  Engine eng(default_config());
  EXPECT_EQ(eng.horizon(), 600 * kSec);  // brute_force_window, the longest by default
  EXPECT_EQ(eng.expiry_cut(), LLONG_MIN);  // nothing can be that old yet
  for (int i = 0; i < 5; ++i) eng.add(cred("10.0.0.30", "10.0.0.8", "failure", false, "weak", (1 + i) * kSec));
  auto before = of(eng.judge_now(facts()), "brute_force");
  ASSERT_EQ(before.size(), 1u);
  // 500 s later by the packets' clock: within the window, everything stays.
  for (Event& q : quiet(500 * kSec, 501 * kSec, kSec)) eng.add(q);
  eng.expire();
  auto still = of(eng.judge_now(facts()), "brute_force");
  ASSERT_EQ(still.size(), 1u);
  EXPECT_EQ(still[0].json, before[0].json);
  // 700 s later: the attempts are older than any window; they go.
  for (Event& q : quiet(700 * kSec, 701 * kSec, kSec)) eng.add(q);
  TimeNs cut = eng.expire();
  EXPECT_GT(cut, 5 * kSec);
  EXPECT_LE(cut, 101 * kSec);
  EXPECT_TRUE(of(eng.judge_now(facts()), "brute_force").empty());
  // The budget was given back: a new burst is kept and judged.
  for (int i = 0; i < 5; ++i) eng.add(cred("10.0.0.30", "10.0.0.8", "failure", false, "weak", (800 + i) * kSec));
  auto again = of(eng.judge_now(facts()), "brute_force");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, 800 * kSec);
}

TEST(DetectExpiry, AttacksWithinTheWindowStillFireAsInAnalyze) {
  // An hour of traffic, expiring all along; then, within their windows, five
  // failed logins (in 400 s) and a sweep of 25 hosts (in 240 s).
  std::vector<Event> e = quiet(kSec, 4000 * kSec, 30 * kSec);
  for (int i = 0; i < 5; ++i) e.push_back(cred("10.0.0.30", "10.0.0.8", "failure", false, "weak", (3000 + 100 * i) * kSec));
  for (int i = 0; i < 25; ++i) e.push_back(flow("10.0.0.9", "10.0.2." + std::to_string(i + 1), 445, (3000 + 10 * i) * kSec));
  std::sort(e.begin(), e.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  auto seen = live(e);
  auto whole = run(e);
  for (const char* rule : {"brute_force", "scan"}) {
    auto l = of(seen, rule), w = of(whole, rule);
    ASSERT_EQ(l.size(), 1u) << rule;
    ASSERT_EQ(w.size(), 1u) << rule;
    EXPECT_EQ(l[0].id, w[0].id) << rule;
    EXPECT_EQ(l[0].json, w[0].json) << rule;
  }
  // Stretched over twice the window, the same failures are no attack.
  std::vector<Event> slow = quiet(kSec, 4000 * kSec, 30 * kSec);
  for (int i = 0; i < 5; ++i) slow.push_back(cred("10.0.0.30", "10.0.0.8", "failure", false, "weak", (1000 + 300 * i) * kSec));
  std::sort(slow.begin(), slow.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  EXPECT_TRUE(of(live(slow), "brute_force").empty());
}

// The one phi_cleartext alert the monitor and `analyze` each give for `e`;
// false unless there is exactly one each and their JSON is the same.
bool phi_live_and_analyze(const std::vector<Event>& e, Alert& l, Alert& w) {
  auto live_alerts = of(live(e), "phi_cleartext");
  auto run_alerts = of(run(e), "phi_cleartext");
  if (live_alerts.size() != 1 || run_alerts.size() != 1) return false;
  l = live_alerts[0];
  w = run_alerts[0];
  EXPECT_EQ(l.json, w.json);
  return true;
}

TEST(DetectExpiry, AnActivityThatGoesOnKeepsItsAlertAndFlows) {
  // Patient data in clear every minute for two hours, each message on a
  // connection of its own: one alert, its first time, count and named flows
  // as `analyze` gives them, though most of its flows expired.
  std::vector<Event> e;
  for (int i = 0; i < 120; ++i) {
    e.push_back(phi_result((60 + 60 * i) * kSec, 5000 + i));
  }
  Alert l, w;
  ASSERT_TRUE(phi_live_and_analyze(e, l, w));
  EXPECT_EQ(l.count, 120u);
  EXPECT_EQ(l.flows_total, 120u);
  EXPECT_EQ(l.flows.size(), w.flows.size());
}

TEST(DetectExpiry, EndedConnectionsLeaveTheCandidateButStillCount) {
  // A connection a second for five minutes (within the horizon), each with
  // two messages carrying patient data and then its final flow record: live,
  // a candidate forgets an ended connection it does not name (no event of it
  // can follow), counting it in flows_over; interim records keep it. The
  // alert is analyze's: count, flows_total, the 64 flows it names.
  std::vector<Event> e;
  for (int i = 0; i < 300; ++i) {
    const uint64_t id = 7000 + static_cast<uint64_t>(i);
    const TimeNs t = (10 + i) * kSec;
    for (TimeNs dt : {TimeNs{0}, kSec / 2}) {
      e.push_back(phi_result(t + dt, id));
    }
    if (i % 3 == 0) {  // a third report on the way: an interim record first
      Event mid = flow("10.0.0.41", "10.0.0.20", 2575, t, true, "TCP", id);
      mid.flow->reason = "active_timeout";
      e.push_back(std::move(mid));
    }
    Event f = flow("10.0.0.41", "10.0.0.20", 2575, t, true, "TCP", id);
    f.flow->answered = true;
    f.flow->end = t + kSec;
    f.ts = t + kSec;
    e.push_back(std::move(f));
  }
  Alert l, w;
  ASSERT_TRUE(phi_live_and_analyze(e, l, w));
  EXPECT_EQ(l.count, 600u);
  EXPECT_EQ(l.flows_total, 300u);
  EXPECT_EQ(l.flows.size(), kMaxAlertFlows);
  // The entry did go: a message on the last connection's id after its end
  // (flow ids are never reused; this only makes the forgetting visible) is
  // a new flow live, the same one in analyze.
  e.push_back(phi_result(320 * kSec, 7299));
  EXPECT_EQ(of(live(e), "phi_cleartext")[0].flows_total, 301u);
  EXPECT_EQ(of(run(e), "phi_cleartext")[0].flows_total, 300u);
}

TEST(DetectExpiry, TheInRunBaselineIsKeptOnceItsStateExpires) {
  Config c = default_config();
  c.baseline.learning_period = 60;
  auto talk = [](const char* src, const char* dst, uint16_t port, TimeNs ts) {
    Event f = flow(src, dst, port, ts, true);
    f.flow->answered = true;
    return f;
  };
  // Learned in the first minute: 10.0.0.30 talks to the PACS. Long after
  // (the conversation's state expired), it does again, and to a new peer.
  std::vector<Event> e = quiet(kSec, 3000 * kSec, 300 * kSec);
  e.push_back(talk("10.0.0.30", "10.0.0.20", 104, 10 * kSec));
  e.push_back(talk("10.0.0.30", "10.0.0.20", 104, 2500 * kSec));
  e.push_back(talk("10.0.0.30", "10.0.0.41", 80, 2500 * kSec));
  std::sort(e.begin(), e.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  auto peers = of(live(e, c), "new_peer");
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].dest_ip, "10.0.0.41");
  EXPECT_EQ(of(run(e, c), "new_peer").size(), 1u);
}

}  // namespace

namespace {

TEST(DetectExpiry, ASeriesThatNeverPausesIsReportedInPieces) {
  // A failed login every minute for 50 minutes: one burst to `analyze`; the
  // live monitor keeps at most two horizons (20 minutes) of it, so the burst
  // comes in pieces, the first starting where analyze's does.
  std::vector<Event> e;
  for (int i = 0; i < 50; ++i) e.push_back(cred("10.0.0.30", "10.0.0.8", "failure", false, "weak", (60 + 60 * i) * kSec));
  auto whole = of(run(e), "brute_force");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].count, 50u);
  auto pieces = of(live(e), "brute_force");
  ASSERT_GE(pieces.size(), 2u);
  std::sort(pieces.begin(), pieces.end(), [](const Alert& a, const Alert& b) { return a.first < b.first; });
  EXPECT_EQ(pieces[0].id, whole[0].id);
  for (const Alert& a : pieces) EXPECT_LE(a.last - a.first, (2 * 600 + 60) * kSec) << a.json;  // and one step
  EXPECT_EQ(pieces.back().last, whole[0].last);
}

}  // namespace
