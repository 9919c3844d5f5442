// The rules (docs/detections.md has the table: what each reads, when it
// fires, how severe, which ATT&CK technique, what to do). Collection is
// order-independent (sets, minima, counts), so the alerts do not depend on the
// number of workers; every decision that needs device facts waits for finish().
#include "detect/engine.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <functional>

#include "common/find.h"
#include "common/json_reader.h"
#include "common/json_writer.h"
#include "dissectors/text.h"
#include "inventory/inventory.h"
#include "inventory/observe.h"

namespace ms::detect {

namespace {

constexpr size_t kMaxListValues = 16;       // evidence values kept per list
constexpr size_t kMaxFlowsPerCandidate = 4096;
constexpr size_t kMaxProbes = 2'000'000;    // scan records over all sources
constexpr size_t kMaxRecords = 1'000'000;   // login attempts and queries
constexpr size_t kMaxFlowRefs = 200'000;
constexpr size_t kMaxFtpChannels = 65'536;  // announced FTP data connections remembered
constexpr size_t kMaxSeenIps = 200'000;
constexpr size_t kMaxValueLen = 160;
constexpr size_t kMaxConversations = 1'000'000;
constexpr TimeNs kHour = 3600LL * 1'000'000'000LL;

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;
constexpr uint8_t kSyn = 0x02;

struct RuleInfo {
  const char* rule;
  int sid;
  const char* name;
  const char* category;
  const char* mitre_ics;         // ATT&CK for ICS, "" where none fits
  const char* mitre_enterprise;  // ATT&CK Enterprise
};

const RuleInfo kRules[] = {
    {"scan", 1001, "Host scanning or sweeping the network", "reconnaissance", "T0846", "T1046"},
    {"lateral_movement", 1002, "Remote administration session from or to a medical device", "lateral movement",
     "T0886", "T1021"},
    {"default_credential", 1003, "Login with a vendor default credential", "credential access", "T0812", "T1078.001"},
    {"weak_password", 1004, "Login with a password below the policy", "credential access", "T0859", "T1078"},
    {"cleartext_login", 1005, "Login with a password in cleartext", "credential exposure", "T0859", "T1040"},
    {"brute_force", 1006, "Repeated failed logins", "credential access", "", "T1110"},
    {"phi_cleartext", 1007, "Patient data in cleartext", "patient data", "", "T1040"},
    {"phi_exfiltration", 1008, "Patient data sent outside the internal networks", "exfiltration", "T0882", "T1048"},
    {"dicom_harvest", 1009, "DICOM query harvesting", "collection", "T0811", "T1119"},
    {"dicom_exec_preamble", 1010, "DICOM file with an executable preamble (CVE-2019-11687)", "malware", "T0849",
     "T1036"},
    {"remote_shell_commands", 1011, "Commands typed on a medical device's remote shell", "execution", "T0807",
     "T1059"},
    {"insecure_service", 1012, "Medical device offers a cleartext service", "exposure", "", ""},
    {"smb1", 1013, "SMB version 1 in use", "exposure", "T0866", "T1210"},
    {"legacy_tls", 1014, "Legacy TLS (1.1 or older) negotiated", "exposure", "", ""},
    {"eol_os", 1015, "End-of-life operating system", "exposure", "T0866", ""},
    {"new_peer", 1016, "Host talks to a peer it never talked to in its baseline", "baseline", "T0886", "T1021"},
    {"new_service", 1017, "Host uses a service of a known peer it never used in its baseline", "baseline", "T0886",
     "T1021"},
    {"new_external_network", 1018, "Host reaches an external network it never reached in its baseline",
     "baseline", "T0882", "T1041"},
    {"volume_spike", 1019, "Host sends far more than in its busiest baseline hour", "baseline", "T0882", "T1030"},
    {"new_order_source", 1020, "HL7 order to a device from a sender that never sent it orders", "tampering", "T0855",
     ""},
    {"new_dicom_ae", 1021, "DICOM association to a device from an AE title it never accepted", "baseline", "T0886",
     "T1021"},
};

const RuleInfo& info(std::string_view rule) {
  for (const RuleInfo& r : kRules) {
    if (rule == r.rule) return r;
  }
  return kRules[0];
}

inline std::string_view str(const JsonValue* v, std::string_view key) { return json_str(v, key); }
inline bool truthy(const JsonValue* v, std::string_view key) { return json_true(v, key); }
int64_t num(const JsonValue* v, std::string_view key, int64_t dflt = -1) {
  const JsonValue* x = v ? v->get(key) : nullptr;
  if (!x || x->type != JsonValue::kNumber || x->text.empty() || x->text.size() > 18) return dflt;
  return std::atoll(x->text.c_str());
}

std::string cap(std::string_view s) {
  std::string out(s.substr(0, kMaxValueLen));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

// The value of the first `"key":"..."` in a JSON line we wrote, when it has
// no escape; "" otherwise.
std::string_view raw_string(std::string_view json, std::string_view key) {
  std::string pat;
  pat.reserve(key.size() + 4);
  pat.append(1, '"').append(key).append("\":\"");
  size_t at = find_text(json, pat);
  if (at == std::string_view::npos) return {};
  size_t b = at + pat.size(), e = json.find('"', b);
  if (e == std::string_view::npos) return {};
  std::string_view v = json.substr(b, e - b);
  return v.find('\\') == std::string_view::npos ? v : std::string_view();
}

FlowRef ref_of(const FlowRow& f) {
  return FlowRef{f.flow_id, f.src_ip, f.dest_ip, f.proto, f.src_port, f.dest_port, f.start, f.end};
}

uint8_t proto_number(std::string_view p) {
  if (p == "TCP") return kTcp;
  if (p == "UDP") return kUdp;
  if (p == "ICMP") return kIcmp;
  if (p == "IPv6-ICMP") return kIcmp6;
  return 0;
}

bool life_critical(const DeviceFacts* f) {
  return f && (f->type == "infusion pump" || f->type == "ventilator" || f->type == "anesthesia machine");
}
// A device a patient's care depends on: what the inventory calls medical, the
// gateways that carry medical devices' serial lines onto the network, and a
// device not identified further whose network interface a medical
// manufacturer registered ("GE Healthcare", "Philips Medical Systems").
bool medical(const DeviceFacts* f) {
  if (!f) return false;
  if (f->medical || f->type == "medical device server") return true;
  if (!f->type.empty() && f->type != "unknown") return false;
  std::string v = text::lower(f->mac_vendor);
  return v.find("medical") != std::string::npos || v.find("healthcare") != std::string::npos ||
         v.find("health care") != std::string::npos;
}
// Exposure findings are about the devices themselves, not the clinical IT
// servers (archives, engines, EHR) that IT already manages as servers.
bool clinical_endpoint(const DeviceFacts* f) {
  return medical(f) && f->type != "PACS/archive" && f->type != "HL7/interface engine" && f->type != "EHR/clinical server";
}
bool imaging_host(const DeviceFacts* f) {
  return f && (f->type == "PACS/archive" || f->type == "imaging workstation");
}

// Cleartext logins: the secret crosses the wire as typed.
bool cleartext_method(std::string_view protocol, std::string_view method) {
  if (protocol == "telnet" || protocol == "ftp" || protocol == "pop3" || protocol == "imap") return true;
  if (protocol == "http") return method == "basic" || method == "form";  // not a cookie, not Digest
  if (protocol == "dicom") return true;  // user identity negotiation with a passcode
  return false;
}

// Remote administration: interactive shells and desktops, and Windows remote
// management. By application protocol when the dissector knew it, else by the
// service's registered port.
const char* admin_service(uint16_t port, std::string_view app) {
  if (app == "ssh") return "ssh";
  if (app == "telnet") return "telnet";
  if (app == "rdp") return "rdp";
  if (!app.empty() && app != "unknown") return nullptr;  // something else on that port
  switch (port) {
    case 22: return "ssh";
    case 23: return "telnet";
    case 3389: return "rdp";
    case 5900: case 5901: case 5902: return "vnc";
    case 5985: case 5986: return "winrm";
    case 4899: return "radmin";
    default: return nullptr;
  }
}

}  // namespace

const char* severity_name(Severity s) {
  static const char* n[] = {"info", "low", "medium", "high", "critical"};
  return n[static_cast<int>(s)];
}

bool parse_severity(std::string_view s, Severity& out) {
  for (int i = 0; i < 5; ++i) {
    if (s == severity_name(static_cast<Severity>(i))) {
      out = static_cast<Severity>(i);
      return true;
    }
  }
  return false;
}

Engine::Engine(Config cfg) : cfg_(std::move(cfg)) {}

bool Engine::wanted(std::string_view t) {
  static const char* kTypes[] = {"flow", "credential", "telnet", "hl7", "dicom", "dicom_command", "dicom_file",
                                 "fhir", "http", "tls", "smb", "snmp", "ftp"};
  for (const char* k : kTypes) {
    if (t == k) return true;
  }
  return false;
}

Engine::Candidate& Engine::cand(const char* rule, const std::string& src, const std::string& dst,
                                std::string_view protocol, const Event& e) {
  std::string key;
  key.reserve(64);
  key.append(rule).append(1, '\x1f').append(src).append(1, '\x1f').append(dst).append(1, '\x1f').append(protocol);
  Candidate& c = cands_[key];
  if (c.count == 0) {
    c.rule = rule;
    c.src = src;
    c.dst = dst;
    c.protocol = std::string(protocol);
    c.first = e.ts;
    c.last = e.ts;
  }
  ++c.count;
  c.first = std::min(c.first, e.ts);
  c.last = std::max(c.last, e.ts);
  if (e.flow_id) {
    auto it = c.flows.find(e.flow_id);
    if (it != c.flows.end()) {
      it->second = std::min(it->second, e.ts);
    } else if (c.flows.size() < kMaxFlowsPerCandidate) {
      c.flows.emplace(e.flow_id, e.ts);
      ref_flow(e);
    } else {
      ++c.flows_over;
    }
  }
  return c;
}

namespace {

void add_list(Engine::Candidate& c, const std::string& list, std::string_view value) {
  if (value.empty()) return;
  auto& s = c.lists[list];
  s.insert(cap(value));
  if (s.size() > kMaxListValues) s.erase(std::prev(s.end()));
}

void set_field(Engine::Candidate& c, const std::string& key, std::string_view value) {
  if (value.empty()) return;
  std::string v = cap(value);
  auto it = c.fields.find(key);
  if (it == c.fields.end()) {
    c.fields.emplace(key, std::move(v));
  } else if (v < it->second) {
    it->second = std::move(v);
  }
}

// A query that names nobody and nothing: no patient, study, accession,
// series, instance or date to narrow it (PS3.4 C.2.2.2: universal and
// wildcard matching).
bool broad_query(const JsonValue* query) {
  const JsonValue* keys = query ? query->get("keys") : nullptr;
  if (!keys || keys->type != JsonValue::kArray) return false;
  static const char* kNarrowing[] = {"PatientID", "PatientName", "AccessionNumber", "StudyInstanceUID",
                                     "SeriesInstanceUID", "SOPInstanceUID", "StudyDate", "SeriesDate",
                                     "ScheduledProcedureStepStartDate", "OtherPatientIDs", "IssuerOfPatientID"};
  for (const JsonValue& k : keys->items) {
    std::string_view name = str(&k, "key"), match = str(&k, "match");
    bool narrowing = std::any_of(std::begin(kNarrowing), std::end(kNarrowing), [&](const char* n) { return name == n; });
    if (!narrowing) continue;
    // A single value, a list of UIDs, or a date range narrows; universal
    // (empty) or a wildcard ("*", "DOE*") does not.
    if (match == "single" || match == "uid_list" || match == "range" || match == "list") return false;
  }
  return true;
}

}  // namespace

void Engine::on_flow(const Event& e) {
  const FlowRow& f = *e.flow;
  auto ref = flow_refs_.find(f.flow_id);
  if (ref != flow_refs_.end()) {
    FlowRef& r = ref->second;
    r.start = r.start ? std::min(r.start, f.start) : f.start;
    r.end = std::max(r.end, f.end);
  }
  for (const std::string* ip : {&f.src_ip, &f.dest_ip}) {
    auto it = seen_ips_.find(*ip);
    if (it != seen_ips_.end()) {
      it->second.first = std::min(it->second.first, f.start);
      it->second.second = std::max(it->second.second, f.end);
    } else if (seen_ips_.size() < kMaxSeenIps && !inv::ip_key(*ip).empty()) {
      seen_ips_.emplace(*ip, std::make_pair(f.start, f.end));
    }
  }
  // A probe: a connection attempt that exchanged no data (SYN, half-open,
  // connect-and-close, refused), an unanswered unicast UDP datagram, an ICMP
  // echo request.
  uint8_t proto = proto_number(f.proto);
  bool probe = false;
  if (proto == kTcp) {
    probe = (f.tcp_flags[0] & kSyn) && !f.data[0] && !f.data[1];
    // A SYN answered by data (a server banner) after no ACK: still not a probe.
  } else if (proto == kUdp) {
    probe = f.pkts_toclient == 0 && f.app_proto.empty();
  } else if (proto == kIcmp || proto == kIcmp6) {
    probe = f.icmp_type == (proto == kIcmp ? 8 : 128);
  }
  // A remote administration session the server accepted: judged at the end
  // (a medical device starting one, or a non-management host reaching a
  // device's management port).
  if (proto == kTcp && f.answered && f.data[0] && f.data[1]) {  // a SYN-ACK to a scan is no session
    const char* svc = admin_service(f.dest_port, f.app_proto);
    if (svc) {
      Candidate& c = cand("\x02" "admin", f.src_ip, f.dest_ip, svc, e);
      c.counters["sessions"] = c.count;
    }
  }
  // Conversations an internal host starts (rule 10): answered, with data.
  if (f.start && (!first_ts_ || f.start < first_ts_)) first_ts_ = f.start;
  bool ported = proto == kTcp || proto == kUdp;
  bool talked = proto == kTcp ? (f.answered && (f.data[0] || f.data[1])) : (proto == kUdp && f.pkts_toclient > 0);
  if (ported && cfg_.is_internal(f.src_ip) && !inv::ip_key(f.dest_ip).empty()) {
    hourly_[f.src_ip][f.start / kHour] += f.bytes_toserver;
    if (talked) {
      std::string key = f.dest_ip + (proto == kTcp ? " tcp/" : " udp/") + std::to_string(f.dest_port);
      auto& m = convs_[f.src_ip];
      auto it = m.find(key);
      if (it != m.end()) {
        ++it->second.flows;
        if (std::tie(f.start, f.flow_id) < std::tie(it->second.first, it->second.flow_id)) {
          it->second.first = f.start;
          it->second.flow_id = f.flow_id;
        }
      } else if (conv_count_ < kMaxConversations) {
        ++conv_count_;
        m.emplace(key, Conv{f.start, f.flow_id, 1});
      } else {
        ++stats_.dropped_state;
      }
      // The conversation's first flow is its evidence.
      auto cv = m.find(key);
      if (cv != m.end() && cv->second.flow_id == f.flow_id && flow_refs_.size() < kMaxFlowRefs)
        flow_refs_.emplace(f.flow_id, ref_of(f));
    }
  }
  if (!probe || inv::ip_key(f.dest_ip).empty() || inv::ip_key(f.src_ip).empty()) return;
  if (probe_count_ >= kMaxProbes) {
    ++stats_.dropped_state;
    return;
  }
  ++probe_count_;
  bool ports = proto == kTcp || proto == kUdp;
  probes_[f.src_ip].push_back(Probe{f.start, f.end, f.dest_ip, ports ? f.dest_port : uint16_t{0},
                                    ports ? f.src_port : uint16_t{0}, proto, f.flow_id});
}

void Engine::remember(std::map<std::string, std::map<std::string, Conv>>& m, const std::string& host, std::string key,
                      const Event& e) {
  for (char& c : key) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  auto& per = m[host];
  auto it = per.find(key);
  if (it != per.end()) {
    ++it->second.flows;
    if (std::tie(e.ts, e.flow_id) < std::tie(it->second.first, it->second.flow_id)) {
      it->second.first = e.ts;
      it->second.flow_id = e.flow_id;
    }
  } else if (conv_count_ < kMaxConversations) {
    ++conv_count_;
    per.emplace(std::move(key), Conv{e.ts, e.flow_id, 1});
  } else {
    ++stats_.dropped_state;
    return;
  }
  ref_flow(e);
}

void Engine::ref_flow(const Event& e) {
  if (!e.flow_id || flow_refs_.count(e.flow_id)) return;
  if (flow_refs_.size() >= kMaxFlowRefs) {
    ++stats_.dropped_state;
    return;
  }
  flow_refs_.emplace(e.flow_id, FlowRef{e.flow_id, e.src_ip, e.dest_ip, e.proto, e.src_port, e.dest_port, 0, 0});
}

void Engine::add(const Event& e) {
  if (e.ts > 0 && (!first_ts_ || e.ts < first_ts_)) first_ts_ = e.ts;
  if (e.flow) {
    on_flow(e);
    return;
  }
  if (!wanted(e.event_type)) return;
  if (e.event_type == "hl7") {
    // HL7 is the bulk of a clinical network's events: read without building
    // a DOM. The writer escapes every quote inside a string, so `"key":"`
    // only occurs as a key; a value with an escape is left out.
    std::string_view type = raw_string(e.json, "message_type");
    // Orders a device acts on (rule 8 with a baseline): general, lab,
    // imaging, pharmacy and treatment orders, pharmacy encoded/dispense/give.
    static const char* kOrders[] = {"ORM", "OML", "OMG", "OMI", "OMP", "OMS", "RDE", "RDS", "RGV", "RRE"};
    if (std::any_of(std::begin(kOrders), std::end(kOrders), [&](const char* o) { return type == o; }) &&
        !inv::ip_key(e.dest_ip).empty())
      remember(orders_, e.dest_ip, e.src_ip + " " + std::string(type), e);
    if (!contains_text(e.json, "\"phi\":true")) return;
    Candidate& c = cand("phi_cleartext", e.src_ip, e.dest_ip, "hl7", e);
    c.counters["messages"] += 1;
    std::string_view mt = raw_string(e.json, "message_type"), tr = raw_string(e.json, "trigger_event");
    add_list(c, "message_types", tr.empty() || mt.empty() ? std::string(mt) : std::string(mt) + "^" + std::string(tr));
    add_list(c, "sending_applications", raw_string(e.json, "sending_application"));
    add_list(c, "receiving_applications", raw_string(e.json, "receiving_application"));
    return;
  }
  JsonValue obj;
  if (parse_json_member(e.json, e.event_type, obj) != nullptr) return;
  const JsonValue* o = &obj;
  if (o->type != JsonValue::kObject) return;
  const std::string& src = e.src_ip;
  const std::string& dst = e.dest_ip;
  const std::string_view t = e.event_type;

  if (t == "credential") {
    std::string_view protocol = str(o, "protocol"), method = str(o, "method"), result = str(o, "result");
    std::string_view user = str(o, "username"), strength = str(o, "password_strength");
    bool success = result == "success";
    bool is_default = truthy(o, "default_credential");
    if (is_default && success) {
      Candidate& c = cand("default_credential", src, dst, protocol, e);
      add_list(c, "usernames", user.empty() ? std::string_view("(community)") : user);
      if (const JsonValue* v = o->get("default_vendors"); v && v->type == JsonValue::kArray) {
        for (const JsonValue& x : v->items) add_list(c, "default_for", x.str());
      }
      if (truthy(o, "default_medical")) set_field(c, "medical_default", "yes");
      set_field(c, "method", method);
    }
    // An anonymous FTP login has no account to protect.
    if (!is_default && success && method != "anonymous" && (strength == "weak" || strength == "empty")) {
      Candidate& c = cand("weak_password", src, dst, protocol, e);
      add_list(c, "usernames", user);
      add_list(c, "strength", strength);
    }
    // The password, or at least the account name, crossed in clear (nDPI
    // flags a user name alone too: half the credential).
    if ((truthy(o, "password_seen") || !user.empty()) && cleartext_method(protocol, method)) {
      Candidate& c = cand("cleartext_login", src, dst, protocol, e);
      add_list(c, "usernames", user);
      ++c.counters[success ? "succeeded" : result == "failure" ? "failed" : "result_unknown"];
      if (!truthy(o, "password_seen")) ++c.counters["without_password"];
    }
    if ((result == "failure" || success) && protocol != "snmp") {
      std::string key = src + '\x1f' + dst + '\x1f' + std::string(protocol);
      if (record_count_ < kMaxRecords) {
        ++record_count_;
        logins_[key].push_back(Attempt{e.ts, success, e.flow_id});
        ref_flow(e);
      } else {
        ++stats_.dropped_state;
      }
      if (!user.empty()) {
        // Remember who was tried, on the candidate the judge may raise.
        Candidate& c = cands_[std::string("\x01users\x1f") + key];
        add_list(c, "usernames", user);
      }
    }
  } else if (t == "telnet") {
    Candidate& s = cand("insecure_service", "", dst, "telnet", e);
    set_field(s, "banner", str(o, "banner"));
    const JsonValue* cmds = o->get("commands");
    if (str(o, "login_result") == "success" && cmds && cmds->type == JsonValue::kArray && !cmds->items.empty()) {
      Candidate& c = cand("remote_shell_commands", src, dst, "telnet", e);
      add_list(c, "usernames", str(o, "username"));
      for (const JsonValue& x : cmds->items) add_list(c, "commands", x.str());
      c.counters["commands"] += cmds->items.size();
    }
  } else if (t == "ftp") {
    if (const JsonValue* ch = o->get("data_channel"); ch && ch->type == JsonValue::kObject && num(ch, "port") > 0) {
      // PASV/PORT name the data connection's destination; EPSV only its port
      // on the server.
      std::string host(str(ch, "host"));
      if (host.empty()) host = dst;
      if (ftp_channels_.size() < kMaxFtpChannels) {
        ftp_channels_.insert(host + ' ' + std::to_string(num(ch, "port")));
      } else {
        ++stats_.dropped_state;
      }
    }
    if (!str(o, "banner").empty() || num(o, "reply_code") > 0) {
      Candidate& s = cand("insecure_service", "", dst, "ftp", e);
      set_field(s, "banner", str(o, "banner"));
    }
  } else if (t == "http") {
    if (num(o, "status") > 0) {
      Candidate& s = cand("insecure_service", "", dst, "http", e);
      set_field(s, "server", str(o, "server"));
      set_field(s, "title", str(o, "title"));
    }
  } else if (t == "snmp") {
    std::string_view pdu = str(o, "pdu_type");
    if (num(o, "version", 3) != 3 && (pdu == "response" || pdu == "get_response")) {
      Candidate& s = cand("insecure_service", "", dst, "snmp", e);
      set_field(s, "version", num(o, "version") == 0 ? "v1" : "v2c");
    }
  } else if (t == "tls") {
    std::string_view v = str(o, "version");
    if (v == "TLS 1.0" || v == "TLS 1.1" || v == "SSL 3.0" || v == "SSL 2.0") {
      Candidate& c = cand("legacy_tls", src, dst, "tls", e);
      add_list(c, "versions", v);
      add_list(c, "server_names", str(o, "sni"));
    }
  } else if (t == "smb") {
    // An administrative share (ADMIN$, C$): how PsExec and its kin copy and
    // start a service on another machine. IPC$ is every session's pipe share.
    std::string_view share = str(o, "share");
    if (str(o, "command") == "tree_connect" && share.size() > 1 && share.back() == '$') {
      std::string_view name = share.substr(share.rfind('\\') == std::string_view::npos ? 0 : share.rfind('\\') + 1);
      if (text::lower(name) != "ipc$" && (str(o, "status").empty() || str(o, "status") == "STATUS_SUCCESS")) {
        Candidate& c = cand("lateral_movement", src, dst, "smb", e);
        add_list(c, "admin_shares", name);
        set_field(c, "how", "administrative share");
      }
    }
    if (num(o, "version") == 1 && !str(o, "dialect").empty()) {
      Candidate& c = cand("smb1", src, dst, "smb", e);
      add_list(c, "dialects", str(o, "dialect"));
      add_list(c, "commands", str(o, "command"));
    }
  } else if (t == "dicom") {
    if (e.flow_id && calling_ae_.size() < kMaxFlowRefs && !str(o, "calling_ae").empty())
      calling_ae_.emplace(e.flow_id, cap(str(o, "calling_ae")));
    if (str(o, "result") == "accepted" && !str(o, "calling_ae").empty() && str(o, "calling_ae").size() <= 16)
      remember(aes_, dst, cap(str(o, "calling_ae")), e);
    // Patient data stored to an AE title the hospital does not know (rule 5).
    std::string_view called = str(o, "called_ae");
    const JsonValue* cmds = o->get("commands");
    bool stores = cmds && cmds->get("C-STORE-RQ");
    if (str(o, "result") == "accepted" && (truthy(o, "phi") || stores) && !called.empty() && !cfg_.known_ae(called)) {
      Candidate& c = cand("phi_exfiltration", src, dst, "dicom", e);
      add_list(c, "unknown_ae_titles", called);
    }
    if (truthy(o, "phi")) {
      Candidate& c = cand("phi_cleartext", src, dst, "dicom", e);
      c.counters["associations"] += 1;
      c.counters["patients"] += static_cast<uint64_t>(std::max<int64_t>(0, num(o, "patient_count", 0)));
      c.counters["dataset_bytes"] += static_cast<uint64_t>(std::max<int64_t>(0, num(o, "dataset_bytes", 0)));
      add_list(c, "calling_ae_titles", str(o, "calling_ae"));
      add_list(c, "called_ae_titles", str(o, "called_ae"));
    }
  } else if (t == "dicom_command") {
    std::string_view cmd = str(o, "command");
    std::string_view move_to = str(o, "move_destination");
    if (cmd == "C-MOVE-RQ" && !move_to.empty() && !cfg_.known_ae(move_to)) {
      Candidate& c = cand("phi_exfiltration", src, dst, "dicom", e);
      add_list(c, "unknown_move_destinations", move_to);
    }
    if (cmd == "C-FIND-RQ" || cmd == "C-GET-RQ" || cmd == "C-MOVE-RQ") {
      const JsonValue* q = o->get("query");
      std::string key = src + '\x1f' + dst;
      if (record_count_ < kMaxRecords) {
        ++record_count_;
        queries_[key].push_back(Query{e.ts, broad_query(q), e.flow_id});
        ref_flow(e);
      } else {
        ++stats_.dropped_state;
      }
      Candidate& ev = cands_[std::string("\x01queries\x1f") + key];
      add_list(ev, "commands", cmd);
      add_list(ev, "levels", str(q, "level"));
      add_list(ev, "information_models", str(o, "sop_class_name"));
      if (auto it = calling_ae_.find(e.flow_id); it != calling_ae_.end()) add_list(ev, "calling_ae_titles", it->second);
    }
  } else if (t == "dicom_file") {
    std::string_view transport = str(o, "transport");
    std::string protocol = transport.empty() || transport == "dimse" ? "dicom" : std::string(transport);
    // A file that was a whole TCP connection: named "ftp" at finish() if an
    // FTP control channel announced that connection.
    std::string stream = protocol == "tcp" ? dst + ' ' + std::to_string(e.dest_port) : std::string();
    if (truthy(o, "executable_preamble")) {
      Candidate& c = cand("dicom_exec_preamble", src, dst, protocol, e);
      add_list(c, "data_connections", stream);
      add_list(c, "preambles", str(o, "preamble"));
      add_list(c, "sop_classes", str(o, "sop_class_name"));
      add_list(c, "directions", str(o, "direction"));
      add_list(c, "sop_instances", str(o, "sop_instance"));
    }
    if (truthy(o, "phi")) {
      Candidate& c = cand("phi_cleartext", src, dst, protocol, e);
      c.counters["files"] += 1;
      add_list(c, "data_connections", stream);
    }
  } else if (t == "fhir") {
    if (truthy(o, "phi")) {
      Candidate& c = cand("phi_cleartext", src, dst, "fhir", e);
      c.counters["interactions"] += 1;
      add_list(c, "resource_types", str(o, "resource_type"));
      add_list(c, "interactions", str(o, "interaction"));
    }
  }
}

// ---------------------------------------------------------------------------
// Judging at the end of the run.

struct Judge {
  Engine& eng;
  const Facts& facts;
  std::vector<Alert> out;

  const DeviceFacts* fact(const std::string& ip) const {
    auto it = facts.find(ip);
    return it == facts.end() ? nullptr : &it->second;
  }

  static void device(JsonWriter& w, const char* key, const std::string& ip, const DeviceFacts* f) {
    if (ip.empty()) return;
    w.key(key).begin_object();
    w.kv("ip", ip);
    if (f) {
      if (!f->id.empty()) w.kv("device", f->id);
      if (!f->mac.empty()) w.kv("mac", f->mac);
      if (!f->manufacturer.empty()) w.kv("manufacturer", f->manufacturer);
      if (!f->model.empty()) w.kv("model", f->model);
      if (!f->type.empty()) w.kv("type", f->type);
      w.kv("medical", f->medical);
    }
    w.end_object();
  }

  static std::string describe(const std::string& ip, const DeviceFacts* f) {
    if (!f) return ip;
    std::string s = ip;
    std::string what;
    if (!f->manufacturer.empty()) what += f->manufacturer;
    if (!f->model.empty()) what += (what.empty() ? "" : " ") + f->model;
    if (!f->type.empty() && f->type != "unknown") what += (what.empty() ? "" : ", ") + f->type;
    if (!what.empty()) s += " (" + what + ")";
    if (!f->mac.empty()) s += ", MAC " + f->mac;
    return s;
  }

  static const char* acl_proto(const std::string& p) {
    if (p == "snmp" || p == "udp") return "udp";
    if (p == "icmp" || p == "ip") return "ip";
    return "tcp";
  }

  std::vector<std::string> response(const Alert& a, const DeviceFacts* sf, const DeviceFacts* df, uint16_t port) {
    std::vector<std::string> r;
    const std::string& rule = a.rule;
    // The device the alert is about: the target of a login or a command,
    // the source of a scan or an exfiltration.
    bool about_dst = rule == "default_credential" || rule == "weak_password" || rule == "brute_force" ||
                     rule == "remote_shell_commands" || rule == "insecure_service" || rule == "dicom_harvest" ||
                     rule == "dicom_exec_preamble" || rule == "eol_os" || rule == "new_order_source" ||
                     rule == "new_dicom_ae";
    if (rule == "cleartext_login" || rule == "smb1" || rule == "legacy_tls") about_dst = !medical(sf) || medical(df);
    const std::string& ip = about_dst ? a.dest_ip : a.src_ip;
    const DeviceFacts* f = about_dst ? df : sf;
    r.push_back("identify: " + describe(ip, f) +
                "; confirm with clinical engineering where it is, what it is used for and whether a patient depends "
                "on it now before acting on it");
    std::string pair;
    if (!a.src_ip.empty() && !a.dest_ip.empty()) {
      pair = std::string(acl_proto(a.protocol)) + " host " + a.src_ip + " host " + a.dest_ip;
      if (port) pair += " eq " + std::to_string(port);
    }
    std::string contain;
    if (rule == "scan") {
      contain = "isolate the scanning host: deny ip host " + a.src_ip + " any (switch port ACL or firewall)";
    } else if (rule == "phi_exfiltration") {
      contain = "block the destination at the perimeter: deny ip any host " + a.dest_ip + "; then find what sent it on " + a.src_ip;
    } else if (rule == "phi_cleartext" || rule == "insecure_service" || rule == "smb1" || rule == "legacy_tls" ||
               rule == "eol_os") {
      contain = "segment: allow this service only from the hosts that need it" +
                (pair.empty() ? std::string() : " (e.g. permit " + pair + ", deny the rest)");
    } else if (!pair.empty()) {
      contain = "block the pair at the switch or firewall: deny " + pair;
    }
    if (!contain.empty()) r.push_back("contain: " + contain);
    r.push_back("preserve: medsentry evidence " + a.id +
                " -o alert-" + a.id + ".pcap; keep the device's own logs; do not power-cycle or reimage it yet");
    std::string maker = f && !f->manufacturer.empty() ? f->manufacturer : std::string();
    if (medical(f)) {
      r.push_back("contact: " + (maker.empty() ? std::string("the manufacturer") : maker) +
                  " product security (their coordinated disclosure contact) with the alert and the evidence; check "
                  "their advisories (CISA ICSMA) for " +
                  (f->model.empty() ? std::string("this model") : f->model));
    }
    std::string recover;
    if (rule == "default_credential" || rule == "weak_password")
      recover = "change the credential by the manufacturer's procedure (validated configurations only), or disable the "
                "service if it is not needed clinically";
    else if (rule == "brute_force")
      recover = "check the target's accounts for a session that followed the failures; rotate the password; rate-limit "
                "or block the service";
    else if (rule == "cleartext_login")
      recover = "move the login to an encrypted protocol the manufacturer supports (SSH, HTTPS, FTPS) and rotate the password";
    else if (rule == "remote_shell_commands")
      recover = "review the commands with the manufacturer; verify the device's configuration and drug library/protocols "
                "against the approved ones before clinical use";
    else if (rule == "scan")
      recover = "find the process or person behind the scan on " + a.src_ip + "; rebuild it if compromised";
    else if (rule == "phi_cleartext")
      recover = "enable TLS (DICOM TLS, MLLP over TLS, HTTPS) where the peers support it; record the flow in the HIPAA "
                "risk analysis";
    else if (rule == "phi_exfiltration")
      recover = "assess a reportable breach with the privacy officer: which patients (the tokens in the events), when, to whom";
    else if (rule == "dicom_harvest")
      recover = "review the source's queries and retrieves on the archive's audit log; restrict query rights by AE title";
    else if (rule == "dicom_exec_preamble")
      recover = "quarantine the object on the archive, scan it as an executable, and find where it came from";
    else if (rule == "smb1")
      recover = "disable SMBv1 on the server; ask the manufacturer for a supported SMB2/3 configuration";
    else if (rule == "legacy_tls")
      recover = "require TLS 1.2 or newer on the server; ask the manufacturer for an update";
    else if (rule == "insecure_service")
      recover = "disable the service if it is not needed, or restrict it to the management network";
    else if (rule == "eol_os")
      recover = "plan replacement or compensating controls (segmentation, allow-list) with the manufacturer";
    else if (rule == "new_peer" || rule == "new_service")
      recover = "ask the device's owner whether the conversation is expected (a new interface, an update); if it is, "
                "learn the baseline again or allow it in the configuration";
    else if (rule == "new_external_network")
      recover = "find what sent data out and whether it is a documented vendor service; if not, block it at the perimeter";
    else if (rule == "new_order_source")
      recover = "verify with pharmacy/clinical staff that the order is genuine before the device acts on it; check the "
                "device's current programming against the patient's prescription";
    else if (rule == "new_dicom_ae")
      recover = "confirm the new AE title with imaging IT; restrict the device's accepted AE titles to the known ones";
    else if (rule == "volume_spike")
      recover = "find what the host sent in that hour (the capture's flows from it) and whether a backup or export explains it";
    if (!recover.empty()) r.push_back("recover: " + recover);
    return r;
  }

  static std::string alert_id(const std::string& rule, const std::string& src, const std::string& dst,
                              const std::string& protocol, TimeNs first) {
    std::string k = rule + '|' + src + '|' + dst + '|' + protocol + '|' + std::to_string(first);
    return text::digest_hex(EVP_sha256(), k, 8);
  }

  void raise(const std::string& rule, Severity sev, const std::string& src, const std::string& dst,
             const std::string& protocol, TimeNs first, TimeNs last, uint64_t count,
             const std::map<uint64_t, TimeNs>& flows, uint64_t flows_over, const std::function<void(JsonWriter&)>& evidence,
             uint16_t port = 0) {
    const Config& cfg = eng.cfg_;
    if (!cfg.rule_enabled(rule)) return;
    if (cfg.allowed(rule, src, dst)) {
      ++eng.stats_.allowed;
      return;
    }
    const RuleInfo& ri = info(rule);
    Alert a;
    a.rule = rule;
    a.signature_id = ri.sid;
    a.severity = sev;
    a.src_ip = src;
    a.dest_ip = dst;
    a.protocol = protocol;
    a.first = first;
    a.last = last;
    a.count = count;
    a.id = alert_id(rule, src, dst, protocol, first);
    std::vector<std::pair<TimeNs, uint64_t>> fl;
    for (const auto& [id, ts] : flows) fl.emplace_back(ts, id);
    std::sort(fl.begin(), fl.end());
    a.flows_total = flows.size() + flows_over;
    for (size_t i = 0; i < fl.size() && i < kMaxAlertFlows; ++i) {
      auto it = eng.flow_refs_.find(fl[i].second);
      if (it != eng.flow_refs_.end()) a.flows.push_back(it->second);
    }
    const DeviceFacts* sf = fact(src);
    const DeviceFacts* df = fact(dst);
    if (!port && !a.flows.empty()) port = a.flows.front().dest_port;
    std::string& j = a.json;
    JsonWriter w(j);
    w.begin_object();
    w.kv("id", a.id).kv("signature_id", ri.sid).kv("rule", rule).kv("name", ri.name);
    w.kv("severity", severity_name(sev)).kv("category", ri.category);
    if (*ri.mitre_ics) w.kv("mitre_ics", ri.mitre_ics);
    if (*ri.mitre_enterprise) w.kv("mitre_enterprise", ri.mitre_enterprise);
    if (!protocol.empty()) w.kv("protocol", protocol);
    w.kv("count", count).kv("first", format_time(first)).kv("last", format_time(last));
    device(w, "src", src, sf);
    device(w, "dest", dst, df);
    w.key("evidence").begin_object();
    evidence(w);
    w.end_object();
    w.kv("flows_total", a.flows_total);
    w.key("flows").begin_array();
    for (const FlowRef& f : a.flows) {
      w.begin_object().kv("flow_id", f.id).kv("src_ip", f.src_ip);
      if (f.src_port || f.dest_port) w.kv("src_port", static_cast<unsigned>(f.src_port));
      w.kv("dest_ip", f.dest_ip);
      if (f.src_port || f.dest_port) w.kv("dest_port", static_cast<unsigned>(f.dest_port));
      w.kv("proto", f.proto);
      if (f.start) w.kv("start", format_time(f.start)).kv("end", format_time(f.end));
      w.end_object();
    }
    w.end_array();
    w.key("response").begin_array();
    for (const std::string& s : response(a, sf, df, port)) w.value(s);
    w.end_array();
    w.end_object();
    ++eng.stats_.alerts;
    ++eng.stats_.by_severity[static_cast<int>(sev)];
    out.push_back(std::move(a));
  }

  static void write_lists(JsonWriter& w, const Engine::Candidate& c) {
    for (const auto& [k, v] : c.counters) w.kv(k, v);
    for (const auto& [k, v] : c.fields) w.kv(k, v);
    for (const auto& [k, vs] : c.lists) {
      w.key(k).begin_array();
      for (const std::string& v : vs) w.value(v);
      w.end_array();
    }
  }

  void from_candidate(const Engine::Candidate& c, Severity sev, const std::string& src, const std::string& dst) {
    raise(c.rule, sev, src, dst, c.protocol, c.first, c.last, c.count, c.flows, c.flows_over,
          [&](JsonWriter& w) { write_lists(w, c); });
  }

  void candidates() {
    for (const auto& [key, c] : eng.cands_) {
      if (key[0] == '\x01') continue;  // evidence for windowed rules
      if (key[0] == '\x02') {  // remote administration sessions
        const DeviceFacts* sf = fact(c.src);
        const DeviceFacts* df = fact(c.dst);
        Engine::Candidate x = c;
        x.rule = "lateral_movement";
        if (clinical_endpoint(sf)) {
          x.fields["how"] = "a medical device started a remote administration session";
          from_candidate(x, Severity::kHigh, c.src, c.dst);
        } else if (clinical_endpoint(df) && !eng.cfg_.is_management(c.src)) {
          x.fields["how"] = "a remote administration session to a medical device from a host that is not a management host";
          from_candidate(x, Severity::kMedium, c.src, c.dst);
        }
        continue;
      }
      const DeviceFacts* sf = fact(c.src);
      const DeviceFacts* df = fact(c.dst);
      const std::string& r = c.rule;
      if (r == "default_credential") {
        Severity s = life_critical(df) ? Severity::kCritical : medical(df) ? Severity::kHigh : Severity::kMedium;
        if (c.protocol == "snmp") s = medical(df) ? Severity::kMedium : Severity::kLow;  // a read community
        from_candidate(c, s, c.src, c.dst);
      } else if (r == "weak_password") {
        from_candidate(c, Severity::kMedium, c.src, c.dst);
      } else if (r == "cleartext_login") {
        // Any cleartext login is a finding (as nDPI's and Suricata's are); one
        // that reaches or leaves a medical device is worse.
        from_candidate(c, medical(sf) || medical(df) ? Severity::kMedium : Severity::kLow, c.src, c.dst);
      } else if (r == "remote_shell_commands") {
        if (medical(df)) from_candidate(c, life_critical(df) ? Severity::kCritical : Severity::kHigh, c.src, c.dst);
      } else if (r == "insecure_service") {
        if (clinical_endpoint(df)) from_candidate(c, Severity::kInfo, "", c.dst);
      } else if (r == "phi_cleartext") {
        from_candidate(c, Severity::kInfo, c.src, c.dst);
        // The same volumes, judged for leaving the hospital (unless an
        // unknown AE title already made it an exfiltration candidate).
        bool si = eng.cfg_.is_internal(c.src), di = eng.cfg_.is_internal(c.dst);
        if (si != di && !eng.cands_.count("phi_exfiltration\x1f" + c.src + '\x1f' + c.dst + '\x1f' + c.protocol)) {
          Engine::Candidate x = c;
          x.rule = "phi_exfiltration";
          from_candidate(x, Severity::kCritical, c.src, c.dst);
        }
      } else if (r == "lateral_movement") {  // administrative shares
        from_candidate(c, medical(sf) || medical(df) ? Severity::kHigh : Severity::kMedium, c.src, c.dst);
      } else if (r == "phi_exfiltration") {  // to an unknown AE title: outside the hospital or not
        bool out = eng.cfg_.is_internal(c.src) != eng.cfg_.is_internal(c.dst);
        from_candidate(c, out ? Severity::kCritical : Severity::kHigh, c.src, c.dst);
      } else if (r == "dicom_exec_preamble") {
        from_candidate(c, Severity::kCritical, c.src, c.dst);
      } else if (r == "smb1" || r == "legacy_tls") {
        from_candidate(c, Severity::kLow, c.src, c.dst);
      }
    }
  }

  void scans() {
    const Thresholds& th = eng.cfg_.thresholds;
    const TimeNs window = static_cast<TimeNs>(th.scan_window) * 1'000'000'000LL;
    for (auto& entry_src : eng.probes_) {  // named, not bound: clang 14 lambdas cannot capture bindings
      auto& src = entry_src.first;
      auto& probes = entry_src.second;
      if (probes.size() < std::min({th.scan_hosts, th.scan_ports, th.scan_targets})) continue;
      std::sort(probes.begin(), probes.end(), [](const Engine::Probe& a, const Engine::Probe& b) {
        return std::tie(a.ts, a.flow_id) < std::tie(b.ts, b.flow_id);
      });
      // Sliding window over the probes: distinct targets, hosts, ports per host.
      std::map<std::tuple<std::string, uint8_t, uint16_t>, uint32_t> target_n;
      std::map<std::string, uint32_t> host_targets;
      uint32_t max_ports = 0;
      size_t lo = 0;
      bool in_alert = false;
      size_t alert_begin = 0, alert_end = 0;
      auto flush = [&](size_t b, size_t e) {
        std::map<uint64_t, TimeNs> flows;
        std::set<std::string> hosts;
        std::set<uint16_t> ports;
        std::set<std::string> protos;
        std::set<std::tuple<std::string, uint8_t, uint16_t>> targets;
        bool any_medical = false;
        for (size_t i = b; i < e; ++i) {
          const Engine::Probe& p = probes[i];
          if (flows.size() < kMaxFlowsPerCandidate) flows.emplace(p.flow_id, p.ts);
          hosts.insert(p.dst);
          if (p.port) ports.insert(p.port);
          protos.insert(p.proto == kTcp ? "tcp" : p.proto == kUdp ? "udp" : "icmp");
          targets.emplace(p.dst, p.proto, p.port);
          any_medical |= medical(fact(p.dst));
        }
        // Register the probes' flows for the evidence.
        for (size_t i = b; i < e; ++i) {
          const Engine::Probe& p = probes[i];
          if (!eng.flow_refs_.count(p.flow_id) && eng.flow_refs_.size() < kMaxFlowRefs) {
            const char* proto = p.proto == kTcp ? "TCP" : p.proto == kUdp ? "UDP" : p.proto == kIcmp ? "ICMP" : "IPv6-ICMP";
            eng.flow_refs_.emplace(p.flow_id, FlowRef{p.flow_id, src, p.dst, proto, p.sport, p.port, p.ts, p.end});
          }
        }
        Severity sev = (any_medical || medical(fact(src))) ? Severity::kHigh : Severity::kMedium;
        std::string protocol;
        for (const auto& p : protos) protocol += (protocol.empty() ? "" : ",") + p;
        std::string dst = hosts.size() == 1 ? *hosts.begin() : std::string();
        raise("scan", sev, src, dst, protocol, probes[b].ts, probes[e - 1].ts, e - b, flows, 0, [&](JsonWriter& w) {
          w.kv("probes", static_cast<uint64_t>(e - b));
          w.kv("distinct_targets", static_cast<uint64_t>(targets.size()));
          w.kv("distinct_hosts", static_cast<uint64_t>(hosts.size()));
          w.kv("distinct_ports", static_cast<uint64_t>(ports.size()));
          w.kv("medical_targets", any_medical);
          w.key("hosts").begin_array();
          size_t n = 0;
          for (const auto& h : hosts) {
            if (++n > 64) break;
            w.value(h);
          }
          w.end_array();
          w.key("ports").begin_array();
          n = 0;
          for (uint16_t p : ports) {
            if (++n > 64) break;
            w.value(static_cast<unsigned>(p));
          }
          w.end_array();
          w.kv("window_s", static_cast<uint64_t>(th.scan_window));
        });
      };
      for (size_t i = 0; i < probes.size(); ++i) {
        const Engine::Probe& p = probes[i];
        while (probes[lo].ts < p.ts - window) {
          auto key = std::make_tuple(probes[lo].dst, probes[lo].proto, probes[lo].port);
          if (--target_n[key] == 0) {
            target_n.erase(key);
            if (--host_targets[probes[lo].dst] == 0) host_targets.erase(probes[lo].dst);
          }
          ++lo;
        }
        auto key = std::make_tuple(p.dst, p.proto, p.port);
        if (target_n[key]++ == 0) max_ports = std::max(max_ports, ++host_targets[p.dst]);
        if (in_alert) {
          if (p.ts - probes[alert_end - 1].ts > window) {
            flush(alert_begin, alert_end);
            in_alert = false;
          } else {
            alert_end = i + 1;
            continue;
          }
        }
        uint32_t ports_here = host_targets[p.dst];
        if (target_n.size() >= th.scan_targets || host_targets.size() >= th.scan_hosts || ports_here >= th.scan_ports) {
          in_alert = true;
          alert_begin = lo;
          alert_end = i + 1;
        }
      }
      if (in_alert) flush(alert_begin, alert_end);
    }
  }

  // Repeated failures from one source to one service within the window;
  // high when a success follows them.
  void brute_force() {
    const Thresholds& th = eng.cfg_.thresholds;
    const TimeNs window = static_cast<TimeNs>(th.brute_force_window) * 1'000'000'000LL;
    for (auto& [key, att] : eng.logins_) {
      std::sort(att.begin(), att.end(), [](const Engine::Attempt& a, const Engine::Attempt& b) {
        return std::tie(a.ts, a.flow_id, a.success) < std::tie(b.ts, b.flow_id, b.success);
      });
      size_t p1 = key.find('\x1f'), p2 = key.find('\x1f', p1 + 1);
      std::string src = key.substr(0, p1), dst = key.substr(p1 + 1, p2 - p1 - 1), protocol = key.substr(p2 + 1);
      // Failures in the window ending at each attempt.
      size_t lo = 0, failures = 0, first_fail = SIZE_MAX;
      for (size_t i = 0; i < att.size(); ++i) {
        while (att[lo].ts < att[i].ts - window) {
          if (!att[lo].success) --failures;
          ++lo;
        }
        if (!att[i].success) {
          ++failures;
          if (first_fail == SIZE_MAX) first_fail = i;
        }
        if (failures >= th.brute_force_failures) {
          // The alert: from the window's first failure to the end of the run
          // (a success after the failures makes it high).
          size_t b = lo;
          while (b < i && att[b].success) ++b;
          bool success_after = false;
          uint64_t fails = 0;
          std::map<uint64_t, TimeNs> flows;
          TimeNs last = att[i].ts;
          for (size_t k = b; k < att.size(); ++k) {
            if (att[k].ts - last > window) break;
            last = att[k].ts;
            if (att[k].success) success_after = true;
            else ++fails;
            if (att[k].flow_id) flows.emplace(att[k].flow_id, att[k].ts);
          }
          const Engine::Candidate* users = nullptr;
          auto it = eng.cands_.find(std::string("\x01users\x1f") + key);
          if (it != eng.cands_.end()) users = &it->second;
          raise("brute_force", success_after ? Severity::kHigh : Severity::kMedium, src, dst, protocol, att[b].ts, last,
                fails, flows, 0, [&](JsonWriter& w) {
                  w.kv("failures", fails).kv("success_after_failures", success_after);
                  w.kv("window_s", static_cast<uint64_t>(th.brute_force_window));
                  if (users) write_lists(w, *users);
                });
          break;  // one alert per pair and protocol per run
        }
      }
    }
  }

  void harvest() {
    const Thresholds& th = eng.cfg_.thresholds;
    const TimeNs window = static_cast<TimeNs>(th.harvest_window) * 1'000'000'000LL;
    for (auto& [key, qs] : eng.queries_) {
      size_t p1 = key.find('\x1f');
      std::string src = key.substr(0, p1), dst = key.substr(p1 + 1);
      if (eng.cfg_.is_pacs(src)) continue;  // an archive's routine queries and moves
      std::sort(qs.begin(), qs.end(), [](const Engine::Query& a, const Engine::Query& b) {
        return std::tie(a.ts, a.flow_id, a.broad) < std::tie(b.ts, b.flow_id, b.broad);
      });
      size_t lo = 0, broad = 0;
      for (size_t i = 0; i < qs.size(); ++i) {
        while (qs[lo].ts < qs[i].ts - window) {
          if (qs[lo].broad) --broad;
          ++lo;
        }
        if (qs[i].broad) ++broad;
        if (broad >= th.harvest_broad_queries || i - lo + 1 >= th.harvest_queries) {
          uint64_t n = 0, nb = 0;
          std::map<uint64_t, TimeNs> flows;
          TimeNs last = qs[i].ts;
          for (size_t k = lo; k < qs.size(); ++k) {
            if (qs[k].ts - last > window) break;
            last = qs[k].ts;
            ++n;
            nb += qs[k].broad;
            if (qs[k].flow_id && flows.size() < kMaxFlowsPerCandidate) flows.emplace(qs[k].flow_id, qs[k].ts);
          }
          const DeviceFacts* sf = fact(src);
          Severity sev = imaging_host(sf) ? Severity::kMedium : Severity::kHigh;
          const Engine::Candidate* ev = nullptr;
          auto it = eng.cands_.find(std::string("\x01queries\x1f") + key);
          if (it != eng.cands_.end()) ev = &it->second;
          raise("dicom_harvest", sev, src, dst, "dicom", qs[lo].ts, last, n, flows, 0, [&](JsonWriter& w) {
            w.kv("queries", n).kv("broad_queries", nb);
            w.kv("window_s", static_cast<uint64_t>(th.harvest_window));
            if (ev) write_lists(w, *ev);
          });
          break;
        }
      }
    }
  }

  // What the conversations before `end` show, as a baseline.
  Baseline learn(TimeNs end) const {
    Baseline b;
    for (const auto& [host, hours] : eng.hourly_) {
      uint64_t busiest = 0;
      bool any = false;
      for (const auto& [h, bytes] : hours) {
        if (h * kHour >= end) break;
        any = true;
        busiest = std::max(busiest, bytes);
      }
      if (any) b.hosts[host] = busiest;
    }
    for (const auto& [host, m] : eng.convs_) {
      for (const auto& [key, cv] : m) {
        if (cv.first >= end) continue;
        std::string peer = key.substr(0, key.find(' '));
        if (eng.cfg_.is_internal(peer)) b.peers.emplace(host, key);
        else b.externals.emplace(host, external_network(peer));
        b.hosts.emplace(host, 0);
      }
    }
    for (const auto& [host, m] : eng.orders_) {
      for (const auto& [key, cv] : m) {
        if (cv.first >= end) continue;
        b.orders.emplace(host, key);
        b.hosts.emplace(host, 0);
      }
    }
    for (const auto& [host, m] : eng.aes_) {
      for (const auto& [ae, cv] : m) {
        if (cv.first >= end) continue;
        b.aes.emplace(host, ae);
        b.hosts.emplace(host, 0);
      }
    }
    return b;
  }

  void baselines() {
    const BaselineSettings& bs = eng.cfg_.baseline;
    if (!eng.learn_path_.empty()) {
      std::string files;
      save_baseline(eng.learn_path_, learn(LLONG_MAX),
                    "learned by medsentry " MEDSENTRY_VERSION " from " + std::to_string(eng.convs_.size()) +
                        " hosts' conversations; 'medsentry analyze --baseline FILE' compares a capture with it");
    }
    Baseline inrun;
    const Baseline* base = eng.baseline_ ? &*eng.baseline_ : nullptr;
    TimeNs learn_end = LLONG_MIN;
    if (!base && bs.learning_period > 0 && eng.first_ts_) {
      learn_end = eng.first_ts_ + static_cast<TimeNs>(bs.learning_period) * 1'000'000'000LL;
      inrun = learn(learn_end);
      inrun.source = "the first " + std::to_string(bs.learning_period) + " s of this run";
      base = &inrun;
    }
    if (!base) return;
    for (const auto& entry_host : eng.convs_) {  // named, not bound: clang 14 lambdas cannot capture bindings
      const auto& host = entry_host.first;
      const auto& m = entry_host.second;
      if (!base->hosts.count(host)) continue;  // a host the baseline never saw: nothing to compare with
      const DeviceFacts* hf = fact(host);
      bool med = medical(hf);
      // Per rule and peer (or network): the conversations that are new.
      std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::string, const Engine::Conv*>>> found;
      for (const auto& [key, cv] : m) {
        if (cv.first < learn_end) continue;
        std::string peer = key.substr(0, key.find(' '));
        std::string svc = key.substr(key.find(' ') + 1);
        if (!eng.cfg_.is_internal(peer)) {
          std::string net = external_network(peer);
          if (!base->externals.count({host, net})) found[{"new_external_network", net}].emplace_back(key, &cv);
        } else if (!base->peers.count({host, key})) {
          found[{base->knows_peer(host, peer) ? "new_service" : "new_peer", peer}].emplace_back(key, &cv);
        }
      }
      for (const auto& entry_what : found) {  // named, not bound: clang 14 lambdas cannot capture bindings
        const auto& what = entry_what.first;
        const auto& convs = entry_what.second;
        const std::string& rule = what.first;
        std::map<uint64_t, TimeNs> flows;
        TimeNs first = LLONG_MAX, last = 0;
        uint64_t n = 0;
        std::set<std::string> services, peers;
        for (const auto& [key, cv] : convs) {
          flows.emplace(cv->flow_id, cv->first);
          first = std::min(first, cv->first);
          last = std::max(last, cv->first);
          n += cv->flows;
          services.insert(key.substr(key.find(' ') + 1));
          peers.insert(key.substr(0, key.find(' ')));
        }
        Severity sev = rule == "new_external_network" ? (med ? Severity::kHigh : Severity::kMedium)
                                                      : (med ? Severity::kMedium : Severity::kLow);
        std::string protocol = services.size() == 1 ? *services.begin() : std::string();
        raise(rule, sev, host, *peers.begin(), protocol, first, last, n, flows, 0, [&](JsonWriter& w) {
          if (rule == "new_external_network") w.kv("network", what.second);
          w.key("services").begin_array();
          for (const auto& s : services) w.value(s);
          w.end_array();
          w.key("peers").begin_array();
          size_t k = 0;
          for (const auto& p : peers) {
            if (++k > 16) break;
            w.value(p);
          }
          w.end_array();
          w.kv("baseline", base->source);
          uint64_t known = 0;
          for (auto it = base->peers.lower_bound({host, ""}); it != base->peers.end() && it->first == host; ++it) ++known;
          w.kv("baseline_conversations", known);
        });
      }
    }
    // Orders to a device from a sender that never sent it that kind of
    // order; associations from an AE title it never accepted.
    for (const auto& entry_receiver : eng.orders_) {  // named, not bound: clang 14 lambdas cannot capture bindings
      const auto& receiver = entry_receiver.first;
      const auto& m = entry_receiver.second;
      if (!base->hosts.count(receiver)) continue;
      const DeviceFacts* rf = fact(receiver);
      for (const auto& [key, cv] : m) {
        if (cv.first < learn_end || base->orders.count({receiver, key})) continue;
        std::string sender = key.substr(0, key.find(' ')), type = key.substr(key.find(' ') + 1);
        Severity sev = life_critical(rf) ? Severity::kCritical : medical(rf) ? Severity::kHigh : Severity::kMedium;
        std::map<uint64_t, TimeNs> flows{{cv.flow_id, cv.first}};
        raise("new_order_source", sev, sender, receiver, "hl7", cv.first, cv.first, cv.flows, flows, 0,
              [&](JsonWriter& w) {
                w.kv("message_type", type);
                w.kv("baseline", base->source);
                w.key("baseline_senders").begin_array();
                size_t k = 0;
                for (auto it = base->orders.lower_bound({receiver, ""}); it != base->orders.end() && it->first == receiver; ++it) {
                  if (++k > 16) break;
                  w.value(it->second);
                }
                w.end_array();
              });
      }
    }
    for (const auto& [called, m] : eng.aes_) {
      if (!base->hosts.count(called)) continue;
      const DeviceFacts* cf = fact(called);
      for (const auto& entry_ae : m) {  // named, not bound: clang 14 lambdas cannot capture bindings
        const auto& ae = entry_ae.first;
        const auto& cv = entry_ae.second;
        if (cv.first < learn_end || base->aes.count({called, ae})) continue;
        std::string caller;
        if (auto r = eng.flow_refs_.find(cv.flow_id); r != eng.flow_refs_.end()) caller = r->second.src_ip;
        std::map<uint64_t, TimeNs> flows{{cv.flow_id, cv.first}};
        raise("new_dicom_ae", clinical_endpoint(cf) ? Severity::kMedium : Severity::kLow, caller, called, "dicom", cv.first,
              cv.first, cv.flows, flows, 0, [&](JsonWriter& w) {
                w.kv("calling_ae", ae);
                w.kv("baseline", base->source);
              });
      }
    }
    // Volume: an hour far above the host's busiest learned hour.
    for (const auto& [host, hours] : eng.hourly_) {
      auto b = base->hosts.find(host);
      if (b == base->hosts.end()) continue;
      uint64_t limit = std::max<uint64_t>(b->second * bs.volume_factor, bs.volume_min_bytes);
      const std::pair<const int64_t, uint64_t>* worst = nullptr;
      for (const auto& hb : hours) {
        if ((hb.first + 1) * kHour <= learn_end && learn_end != LLONG_MIN) continue;
        if (hb.second > limit && (!worst || hb.second > worst->second)) worst = &hb;
      }
      if (!worst) continue;
      TimeNs at = worst->first * kHour;
      raise("volume_spike", medical(fact(host)) ? Severity::kHigh : Severity::kMedium, host, "", "", at, at + kHour - 1,
            1, {}, 0, [&](JsonWriter& w) {
              w.kv("bytes_sent_in_hour", worst->second);
              w.kv("baseline_busiest_hour_bytes", b->second);
              w.kv("limit_bytes", limit);
              w.kv("baseline", base->source);
            });
    }
  }

  void end_of_life() {
    std::set<std::string> done;
    std::vector<std::pair<std::string, std::pair<TimeNs, TimeNs>>> ips(eng.seen_ips_.begin(), eng.seen_ips_.end());
    std::sort(ips.begin(), ips.end());
    for (const auto& [ip, span] : ips) {
      const DeviceFacts* f = fact(ip);
      if (!f || !f->os_eol || !done.insert(f->id).second) continue;
      raise("eol_os", medical(f) ? Severity::kLow : Severity::kInfo, "", ip, "", span.first, span.second, 1, {}, 0,
            [&](JsonWriter& w) { w.kv("os", f->os); });
    }
  }
};

void Engine::join_ftp_data() {
  std::vector<std::string> keys;
  for (const auto& [key, c] : cands_) {
    if (c.protocol != "tcp") continue;
    auto it = c.lists.find("data_connections");
    if (it == c.lists.end()) continue;
    if (std::any_of(it->second.begin(), it->second.end(), [&](const std::string& s) { return ftp_channels_.count(s); }))
      keys.push_back(key);
  }
  for (const std::string& key : keys) {
    auto node = cands_.extract(key);
    Candidate& c = node.mapped();
    c.protocol = "ftp";
    std::string k = c.rule + '\x1f' + c.src + '\x1f' + c.dst + '\x1f' + "ftp";
    auto [it, fresh] = cands_.try_emplace(k);
    Candidate& into = it->second;
    if (fresh) {
      into = std::move(c);
      continue;
    }
    into.count += c.count;
    into.first = std::min(into.first, c.first);
    into.last = std::max(into.last, c.last);
    into.flows_over += c.flows_over;
    for (const auto& [id, ts] : c.flows) {
      auto [f, added] = into.flows.emplace(id, ts);
      if (!added) f->second = std::min(f->second, ts);
    }
    for (const auto& [name, values] : c.lists) {
      for (const std::string& v : values) add_list(into, name, v);
    }
    for (const auto& [name, n] : c.counters) into.counters[name] += n;
    for (const auto& [name, v] : c.fields) set_field(into, name, v);
  }
}

std::vector<Alert> Engine::finish(const Facts& facts) {
  join_ftp_data();
  Judge j{*this, facts, {}};
  j.baselines();
  j.scans();
  j.brute_force();
  j.harvest();
  j.candidates();
  j.end_of_life();
  std::sort(j.out.begin(), j.out.end(), [](const Alert& a, const Alert& b) {
    return std::tie(a.first, a.id) < std::tie(b.first, b.id);
  });
  return std::move(j.out);
}

Facts load_facts(inv::Db& db) {
  Facts out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.handle(),
                         "SELECT id, mac, ips, type, manufacturer, model, os, medical, os_eol, mac_vendor FROM devices", -1, &st,
                         nullptr) != SQLITE_OK) {
    throw std::runtime_error(db.path() + ": " + sqlite3_errmsg(db.handle()));
  }
  auto col = [&](int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    DeviceFacts f;
    f.id = col(0);
    f.mac = col(1);
    std::string ips = col(2);
    f.type = col(3);
    f.manufacturer = col(4);
    f.model = col(5);
    f.os = col(6);
    f.medical = sqlite3_column_int(st, 7) != 0;
    f.os_eol = sqlite3_column_int(st, 8) != 0;
    f.mac_vendor = col(9);
    size_t i = 0;
    while (i < ips.size()) {
      size_t j = ips.find(' ', i);
      if (j == std::string::npos) j = ips.size();
      if (j > i) out[ips.substr(i, j - i)] = f;
      i = j + 1;
    }
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<Event> alert_events(const std::vector<Alert>& alerts) {
  std::vector<Event> out;
  for (const Alert& a : alerts) {
    Envelope env;
    env.ts = a.first;
    env.flow_id = a.flows.empty() ? 0 : a.flows.front().id;
    // The envelope's 5-tuple only when the alert is about one pair (a scan of
    // many hosts or a device's exposure has its sides inside the alert).
    if (!a.src_ip.empty() && !a.dest_ip.empty() && !a.flows.empty()) {
      env.src_ip = a.src_ip;
      env.dest_ip = a.dest_ip;
      env.proto = a.flows.front().proto;
    }
    EventBuilder b(env, "alert");
    b.w().key("alert").raw(a.json);
    out.push_back(b.finish());
  }
  return out;
}

void store_alerts(inv::Db& db, int64_t capture_id, const std::vector<Alert>& alerts) {
  sqlite3* h = db.handle();
  db.exec("BEGIN IMMEDIATE");
  sqlite3_stmt* del = nullptr;
  sqlite3_prepare_v2(h, "DELETE FROM alerts WHERE capture=?", -1, &del, nullptr);
  sqlite3_bind_int64(del, 1, capture_id);
  int rc = sqlite3_step(del);
  sqlite3_finalize(del);
  sqlite3_stmt* ins = nullptr;
  if (rc != SQLITE_DONE ||
      sqlite3_prepare_v2(h,
                         "INSERT OR REPLACE INTO alerts(id, capture, signature_id, rule, severity, severity_rank, src_ip, "
                         "dest_ip, protocol, first_ns, last_ns, count, json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &ins, nullptr) != SQLITE_OK) {
    std::string msg = db.path() + ": cannot store alerts: " + sqlite3_errmsg(h);
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    throw std::runtime_error(msg);
  }
  for (const Alert& a : alerts) {
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, a.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 2, capture_id);
    sqlite3_bind_int(ins, 3, a.signature_id);
    sqlite3_bind_text(ins, 4, a.rule.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 5, severity_name(a.severity), -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 6, static_cast<int>(a.severity));
    sqlite3_bind_text(ins, 7, a.src_ip.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 8, a.dest_ip.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 9, a.protocol.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 10, a.first);
    sqlite3_bind_int64(ins, 11, a.last);
    sqlite3_bind_int64(ins, 12, static_cast<int64_t>(a.count));
    sqlite3_bind_text(ins, 13, a.json.c_str(), static_cast<int>(a.json.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      std::string msg = db.path() + ": cannot store alerts: " + sqlite3_errmsg(h);
      sqlite3_finalize(ins);
      sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
      throw std::runtime_error(msg);
    }
  }
  sqlite3_finalize(ins);
  db.exec("COMMIT");
}

}  // namespace ms::detect
