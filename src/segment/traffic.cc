// Reading events.jsonl and the inventory for the segmentation commands: one
// line at a time, each bounded (kMaxLineBytes, kMaxFlowLines), lines that are
// not ours skipped and counted.
#include "segment/traffic.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>

#include "common/json_reader.h"
#include "inventory/store.h"
#include "segment/policy.h"

namespace ms::seg {
namespace {

uint64_t num(const JsonValue* v, std::string_view key) {
  const JsonValue* x = v ? v->get(key) : nullptr;
  if (!x || x->type != JsonValue::kNumber || x->text.empty() || x->text.size() > 19) return 0;
  uint64_t n = 0;
  for (char c : x->text) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

unsigned hex_byte(std::string_view s) {
  unsigned v = 0;
  for (char c : s.substr(0, 2)) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
  }
  return v;
}

bool parse_flow(const JsonValue& e, FlowRec& f) {
  std::string_view proto = json_str(&e, "proto");
  if (proto == "TCP") f.proto = "tcp";
  else if (proto == "UDP") f.proto = "udp";
  else if (proto == "ICMP") f.proto = "icmp";
  else if (proto == "IPv6-ICMP") f.proto = "icmpv6";
  else return false;  // SCTP, GRE ...: not in the model
  f.ts = std::string(json_str(&e, "timestamp"));
  f.src = std::string(json_str(&e, "src_ip"));
  f.dst = std::string(json_str(&e, "dest_ip"));
  f.app = std::string(json_str(&e, "app_proto"));
  f.flow_id = num(&e, "flow_id");
  bool icmp = f.proto == "icmp" || f.proto == "icmpv6";
  f.port = static_cast<int>(std::min<uint64_t>(num(&e, icmp ? "icmp_type" : "dest_port"), 65535));
  const JsonValue* fl = e.get("flow");
  f.bytes = num(fl, "bytes_toserver") + num(fl, "bytes_toclient");
  if (f.proto == "tcp") {
    // Answered: the server sent SYN and ACK (RFC 9293), not only a reset.
    f.answered = (hex_byte(json_str(e.get("tcp"), "tcp_flags_tc")) & 0x12) == 0x12;
  } else {
    f.answered = num(fl, "pkts_toclient") > 0 || is_multicast(f.dst);
  }
  return !f.src.empty() && !f.dst.empty();
}

void parse_alert(const JsonValue& e, std::vector<AlertRec>& out) {
  const JsonValue* a = e.get("alert");
  if (!a) return;
  AlertRec r;
  r.id = std::string(json_str(a, "id"));
  r.rule = std::string(json_str(a, "rule"));
  r.severity = std::string(json_str(a, "severity"));
  r.protocol = std::string(json_str(a, "protocol"));
  r.src = std::string(json_str(&e, "src_ip"));
  r.dst = std::string(json_str(&e, "dest_ip"));
  if (const JsonValue* fl = a->get("flows"); fl && fl->type == JsonValue::kArray)
    for (const JsonValue& x : fl->items) r.flow_ids.push_back(num(&x, "flow_id"));
  out.push_back(std::move(r));
}

// The share of an `smb` tree_connect event (smb.schema.json), by its flow.
// Bounded: kMaxShareFlows flows, kMaxShares names each; names a policy file
// could not hold are left out.
constexpr size_t kMaxShareFlows = 1'000'000;

void parse_share(const JsonValue& e, std::map<uint64_t, std::set<std::string>>& out) {
  const JsonValue* smb = e.get("smb");
  uint64_t id = num(&e, "flow_id");
  if (!smb || !id || json_str(smb, "command") != "tree_connect") return;
  std::string_view name = share_of_path(json_str(smb, "share"));
  if (name.empty() || name == "*" || !valid_share_name(name)) return;
  auto it = out.find(id);
  if (it == out.end()) {
    if (out.size() >= kMaxShareFlows) return;
    it = out.emplace(id, std::set<std::string>{}).first;
  }
  if (it->second.size() < kMaxShares) it->second.insert(std::string(name));
}

// One line of at most kMaxLineBytes: the rest of a longer line is read and
// dropped (`too_long`), never held in memory.
bool bounded_line(std::istream& in, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* sb = in.rdbuf();
  bool any = false;
  for (int c = sb->sbumpc(); c != std::char_traits<char>::eof(); c = sb->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < kMaxLineBytes) line += static_cast<char>(c);
    else too_long = true;
  }
  return any;
}

}  // namespace

bool is_link_control(const FlowRec& f) {
  // 130-132 MLD (RFC 2710), 133-137 ND (RFC 4861), 143 MLDv2 (RFC 3810).
  return f.proto == "icmpv6" && ((f.port >= 130 && f.port <= 137) || f.port == 143);
}

bool read_events(const std::string& path, const std::string& since, const std::string& until, Traffic& out,
                 std::string& err) {
  std::string file = path;
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) file = path + "/events.jsonl";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err = file + ": cannot read events";
    return false;
  }
  return read_events_stream(in, file, since, until, out, err);
}

bool read_events_stream(std::istream& in, const std::string& file, const std::string& since, const std::string& until,
                        Traffic& out, std::string& err) {
  std::string line;
  size_t lines = 0, first = out.flows.size();
  bool too_long = false;
  // Flow ids are unique within one analysis only: shares join the flows of
  // the same file, whatever the order of its lines.
  std::map<uint64_t, std::set<std::string>> shares;
  while (bounded_line(in, line, too_long)) {
    if (++lines > kMaxFlowLines) {
      err = file + ": more than 20000000 lines";
      return false;
    }
    bool flow = line.find("\"event_type\":\"flow\"") != std::string::npos;
    bool alert = !flow && line.find("\"event_type\":\"alert\"") != std::string::npos;
    bool smb = !flow && !alert && line.find("\"tree_connect\"") != std::string::npos &&
               line.find("\"event_type\":\"smb\"") != std::string::npos;
    if (!flow && !alert && !smb) continue;
    JsonValue e;
    if (too_long || parse_json(line, e) != nullptr || e.type != JsonValue::kObject) {
      ++out.skipped_lines;
      continue;
    }
    if (alert) {
      parse_alert(e, out.alerts);
      continue;
    }
    if (smb) {
      parse_share(e, shares);
      continue;
    }
    FlowRec f;
    if (!parse_flow(e, f)) continue;
    if ((!since.empty() && f.ts < since) || (!until.empty() && f.ts > until)) continue;
    out.flows.push_back(std::move(f));
  }
  for (size_t i = first; i < out.flows.size() && !shares.empty(); ++i) {
    auto it = shares.find(out.flows[i].flow_id);
    if (it != shares.end()) out.flows[i].shares.assign(it->second.begin(), it->second.end());
  }
  return true;
}

bool read_devices(const std::string& db_path, std::vector<DeviceRec>& out, std::string& err) {
  try {
    inv::Db db(db_path.empty() ? inv::default_db_path() : db_path, false);
    sqlite3_stmt* st = db.prepare("SELECT ips, type, medical FROM devices ORDER BY id");
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (out.size() >= kMaxMembers) break;
      DeviceRec d;
      const unsigned char* ips = sqlite3_column_text(st, 0);
      const unsigned char* type = sqlite3_column_text(st, 1);
      std::string all = ips ? reinterpret_cast<const char*>(ips) : "";
      d.type = type ? reinterpret_cast<const char*>(type) : "";
      d.medical = sqlite3_column_int(st, 2) != 0;
      size_t i = 0;
      while (i < all.size()) {
        size_t j = all.find(' ', i);
        if (j == std::string::npos) j = all.size();
        if (j > i) d.ips.push_back(all.substr(i, j - i));
        i = j + 1;
      }
      out.push_back(std::move(d));
    }
    sqlite3_finalize(st);
  } catch (const std::exception& e) {
    err = e.what();
    return false;
  }
  return true;
}

}  // namespace ms::seg
