#include "app/alerts_cmd.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>

#include "app/table.h"
#include "capture/capture_file.h"
#include "common/json_reader.h"
#include "common/types.h"
#include "decode/decoder.h"
#include "detect/engine.h"
#include "inventory/inventory.h"

namespace ms {

namespace {

std::string col(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
}

// "2026-11-23T06:44:11.527157Z" (format_time's output) to nanoseconds; 0 if
// it is not that shape.
TimeNs parse_time(std::string_view s) {
  if (s.size() < 20 || s[4] != '-' || s[10] != 'T') return 0;
  struct tm tm = {};
  auto digits = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  tm.tm_year = digits(0, 4) - 1900;
  tm.tm_mon = digits(5, 2) - 1;
  tm.tm_mday = digits(8, 2);
  tm.tm_hour = digits(11, 2);
  tm.tm_min = digits(14, 2);
  tm.tm_sec = digits(17, 2);
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mday < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0) return 0;
  TimeNs t = static_cast<TimeNs>(timegm(&tm)) * 1'000'000'000LL;
  if (s[19] == '.') {
    TimeNs frac = 0;
    int n = 0;
    for (size_t i = 20; i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 9; ++i, ++n) frac = frac * 10 + (s[i] - '0');
    for (; n < 9; ++n) frac *= 10;
    t += frac;
  }
  return t;
}

struct Row {
  std::string id, rule, severity, src, dest, protocol, json;
  int rank = 0;
  int64_t first = 0, last = 0, count = 0;
};

}  // namespace

int run_alerts(const AlertsOptions& o) {
  detect::Severity min;
  if (!detect::parse_severity(o.min_severity, min)) {
    std::cerr << "medsentry: error: --severity: '" << o.min_severity << "' is not info, low, medium, high or critical\n";
    return 2;
  }
  std::vector<Row> rows;
  try {
    inv::Db db(o.db_path.empty() ? inv::default_db_path() : o.db_path, false);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.handle(),
                           "SELECT id, rule, severity, severity_rank, src_ip, dest_ip, protocol, first_ns, last_ns, count, "
                           "json FROM alerts WHERE severity_rank >= ? AND (?='' OR rule=?) "
                           "ORDER BY severity_rank DESC, first_ns, id",
                           -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(db.path() + ": no alerts table (analysed by an older medsentry? run 'medsentry analyze' again)");
    }
    sqlite3_bind_int(st, 1, static_cast<int>(min));
    sqlite3_bind_text(st, 2, o.rule.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, o.rule.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      Row r{col(st, 0), col(st, 1), col(st, 2), col(st, 4), col(st, 5), col(st, 6), col(st, 10)};
      r.rank = sqlite3_column_int(st, 3);
      r.first = sqlite3_column_int64(st, 7);
      r.last = sqlite3_column_int64(st, 8);
      r.count = sqlite3_column_int64(st, 9);
      rows.push_back(std::move(r));
    }
    sqlite3_finalize(st);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  if (o.format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < rows.size(); ++i) out += (i ? ",\n" : "\n") + rows[i].json;
    out += rows.empty() ? "]\n" : "\n]\n";
    std::cout << out;
    return 0;
  }
  const char* heads[] = {"ID", "SEVERITY", "RULE", "SOURCE", "DESTINATION", "PROTO", "COUNT", "FIRST SEEN", "WHAT"};
  std::vector<std::vector<std::string>> table;
  for (const Row& r : rows) {
    // One line of context: the destination device's description, or the rule's name.
    JsonValue v;
    std::string what;
    if (parse_json(r.json, v) == nullptr) {
      what = std::string(v.get("name") ? v.get("name")->str() : "");
      const JsonValue* d = v.get("dest");
      if (!d || !d->get("type")) d = v.get("src");
      if (d) {
        std::string dev;
        for (const char* k : {"manufacturer", "model", "type"}) {
          const JsonValue* x = d->get(k);
          if (x && !x->str().empty() && x->str() != "unknown") dev += (dev.empty() ? "" : " ") + std::string(x->str());
        }
        if (!dev.empty()) what += ": " + dev;
      }
    }
    table.push_back({r.id, r.severity, r.rule, r.src.empty() ? "-" : r.src, r.dest.empty() ? "-" : r.dest,
                     r.protocol.empty() ? "-" : r.protocol, std::to_string(r.count),
                     r.first ? format_time(r.first).substr(0, 19) : "-", what});
  }
  print_table(std::cout, std::vector<std::string>(std::begin(heads), std::end(heads)), std::move(table), 60);
  std::cout << rows.size() << " alerts\n";
  return 0;
}

namespace {

struct Cut {
  IpAddr a, b;
  bool any_a = false;  // every peer of b (a flood: the alert names no flows)
  bool has_ports = false;
  uint16_t pa = 0, pb = 0;  // 0: any port
  uint8_t proto = 0;
  TimeNs from = 0, to = 0;
};

bool parse_ip(const std::string& s, IpAddr& out) {
  uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    out = IpAddr::v4(buf);
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    out = IpAddr::v6(buf);
    return true;
  }
  return false;
}

bool matches(const Cut& c, const Packet& p) {
  if (p.ts < c.from || p.ts > c.to) return false;
  if (c.proto && p.proto != c.proto) return false;
  bool fwd = (c.any_a || p.src == c.a) && p.dst == c.b, rev = p.src == c.b && (c.any_a || p.dst == c.a);
  if (!fwd && !rev) return false;
  if (p.is_fragment && p.frag_offset > 0) return true;  // no ports in a later fragment
  if (p.proto != 6 && p.proto != 17) return true;
  uint16_t sp = fwd ? p.sport : p.dport, dp = fwd ? p.dport : p.sport;
  return (c.pa == 0 || c.pa == sp) && (c.pb == 0 || c.pb == dp);
}

}  // namespace

namespace {

struct StoredAlert {
  std::string json, files;
  int64_t first = 0, last = 0;
};

// The alert's record and the captures it came from; throws with one line.
StoredAlert load_alert(const EvidenceOptions& o) {
  StoredAlert a;
  inv::Db db(o.db_path.empty() ? inv::default_db_path() : o.db_path, false);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.handle(),
                         "SELECT a.json, a.first_ns, a.last_ns, c.files FROM alerts a LEFT JOIN captures c ON "
                         "c.id = a.capture WHERE a.id = ?",
                         -1, &st, nullptr) != SQLITE_OK) {
    throw std::runtime_error(db.path() + ": no alerts table (run 'medsentry analyze' again)");
  }
  sqlite3_bind_text(st, 1, o.alert_id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) == SQLITE_ROW) {
    a.json = col(st, 0);
    a.first = sqlite3_column_int64(st, 1);
    a.last = sqlite3_column_int64(st, 2);
    a.files = col(st, 3);
  }
  sqlite3_finalize(st);
  if (a.json.empty()) throw std::runtime_error(db.path() + ": no alert " + o.alert_id + " (see 'medsentry alerts')");
  return a;
}

constexpr TimeNs kSlack = 1'000'000'000LL;  // a flow's first and last packets, with their timestamps' rounding

// The alert's flows, each a 5-tuple over its time span. An alert about one
// address that names no flows (a flood: no conversation) cuts every packet
// to and from that address over the alert's span.
std::vector<Cut> cuts_of(const JsonValue& v, const StoredAlert& a) {
  std::vector<Cut> cuts;
  const JsonValue* flows = v.get("flows");
  if (flows && flows->type == JsonValue::kArray) {
    for (const JsonValue& f : flows->items) {
      Cut c;
      const JsonValue* s = f.get("src_ip");
      const JsonValue* d = f.get("dest_ip");
      if (!s || !d || !parse_ip(std::string(s->str()), c.a) || !parse_ip(std::string(d->str()), c.b)) continue;
      auto port = [&](const char* k) {
        const JsonValue* x = f.get(k);
        return x && x->type == JsonValue::kNumber ? static_cast<uint16_t>(std::atoi(x->text.c_str())) : uint16_t{0};
      };
      c.pa = port("src_port");
      c.pb = port("dest_port");
      std::string_view proto = f.get("proto") ? f.get("proto")->str() : "";
      c.proto = proto == "TCP" ? 6 : proto == "UDP" ? 17 : proto == "ICMP" ? 1 : proto == "IPv6-ICMP" ? 58 : 0;
      TimeNs start = f.get("start") ? parse_time(f.get("start")->str()) : 0;
      TimeNs end = f.get("end") ? parse_time(f.get("end")->str()) : 0;
      c.from = (start ? start : a.first) - kSlack;
      c.to = (end ? end : a.last) + kSlack;
      cuts.push_back(c);
    }
  }
  const JsonValue* dest = v.get("dest");
  const JsonValue* src = v.get("src");
  if (cuts.empty() && !src && dest && dest->get("ip")) {
    Cut c;
    c.any_a = true;
    if (parse_ip(std::string(dest->get("ip")->str()), c.b)) {
      c.from = a.first - kSlack;
      c.to = a.last + kSlack;
      cuts.push_back(c);
    }
  }
  return cuts;
}

std::vector<std::string> split_lines(const std::string& files) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < files.size()) {
    size_t j = files.find('\n', i);
    if (j == std::string::npos) j = files.size();
    if (j > i) out.push_back(files.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Writes the packets the cuts select to `out`; returns the exit code.
int write_cut(CaptureReader& reader, const std::vector<Cut>& cuts, const std::string& out,
              const EvidenceOptions& o) {
  pcap_t* dead = nullptr;
  pcap_dumper_t* dumper = nullptr;
  uint64_t written = 0, read = 0;
  RawPacket r;
  while (reader.next(r)) {
    ++read;
    Packet p;
    p.ts = r.ts;
    p.data = r.data;
    p.caplen = r.caplen;
    p.wirelen = r.wirelen;
    p.linktype = r.linktype;
    DecodeAnomalies an;
    if (decode_packet(p, an) != DecodeOutcome::kIp) continue;
    if (!std::any_of(cuts.begin(), cuts.end(), [&](const Cut& c) { return matches(c, p); })) continue;
    if (!dumper) {
      dead = pcap_open_dead_with_tstamp_precision(r.linktype, 262144, PCAP_TSTAMP_PRECISION_NANO);
      dumper = dead ? pcap_dump_open(dead, out.c_str()) : nullptr;
      if (!dumper) {
        std::cerr << "medsentry: error: " << out << ": cannot create: " << (dead ? pcap_geterr(dead) : "pcap") << "\n";
        if (dead) pcap_close(dead);
        return 1;
      }
    } else if (r.linktype != pcap_datalink(dead)) {
      continue;  // one link type per pcap file: the first one's
    }
    struct pcap_pkthdr h;
    h.ts.tv_sec = static_cast<time_t>(r.ts / 1'000'000'000LL);
    h.ts.tv_usec = static_cast<suseconds_t>(r.ts % 1'000'000'000LL);  // nanoseconds: the file says so
    h.caplen = r.caplen;
    h.len = r.wirelen;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h, r.data);
    ++written;
  }
  for (const std::string& w : reader.warnings()) std::cerr << "medsentry: warning: " << w << "\n";
  if (!dumper) {
    std::cerr << "medsentry: error: none of the " << read << " packets of the capture belongs to alert " << o.alert_id
              << " (another capture?)\n";
    return 1;
  }
  bool ok = pcap_dump_flush(dumper) == 0;
  pcap_dump_close(dumper);
  pcap_close(dead);
  if (!ok) {
    std::cerr << "medsentry: error: " << out << ": write failed\n";
    return 1;
  }
  std::cout << out << ": " << written << " packets of alert " << o.alert_id << " (" << cuts.size()
            << (cuts.size() == 1 && cuts[0].any_a ? " address)\n" : " flows)\n");
  return 0;
}

}  // namespace

int run_evidence(const EvidenceOptions& o) {
  StoredAlert a;
  try {
    a = load_alert(o);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  JsonValue v;
  if (parse_json(a.json, v) != nullptr) {
    std::cerr << "medsentry: error: alert " << o.alert_id << ": unreadable record\n";
    return 1;
  }
  std::vector<Cut> cuts = cuts_of(v, a);
  if (cuts.empty()) {
    std::cerr << "medsentry: error: alert " << o.alert_id << " names no flows (a finding about a device, not traffic)\n";
    return 1;
  }
  std::vector<std::string> captures = o.captures.empty() ? split_lines(a.files) : o.captures;
  if (o.captures.empty() && a.files.rfind("live:", 0) == 0) {
    // medsentry monitor records its interfaces, not a file (docs/decisions.md "Live monitor").
    std::cerr << "medsentry: error: alert " << o.alert_id << " was raised live on " << a.files.substr(5)
              << ": no capture file to cut from; name one recorded beside the sensor (tcpdump -w) after the id\n";
    return 2;
  }
  if (captures.empty()) {
    std::cerr << "medsentry: error: alert " << o.alert_id << ": the database does not say which capture it came from; name it\n";
    return 2;
  }
  std::unique_ptr<CaptureReader> reader;
  try {
    reader = std::make_unique<CaptureReader>(captures);
  } catch (const CaptureError& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  return write_cut(*reader, cuts, o.out.empty() ? "alert-" + o.alert_id + ".pcap" : o.out, o);
}

}  // namespace ms
