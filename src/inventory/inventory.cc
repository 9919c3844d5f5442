// The inventory: aggregation under a memory cap, the persistent database, and
// the derivation of device records (docs/inventory.md).
#include "inventory/inventory.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>

#include "common/find.h"
#include "common/json_writer.h"
#include "common/private_dirs.h"
#include "dissectors/text.h"
#include "inventory/knowledge.h"

namespace ms::inv {

namespace {

constexpr size_t kMaxAttrsPerDevice = 4096;   // a router sees every remote address: bounded
constexpr size_t kGatewayAddresses = 16;      // a MAC seen with more IPs than this forwards for others
constexpr size_t kMaxPeersInRecord = 64;
constexpr size_t kMaxEvidence = 5;
constexpr size_t kMaxCandidates = 6;

constexpr const char* kSchema = R"SQL(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS captures(
  id INTEGER PRIMARY KEY,
  key TEXT UNIQUE NOT NULL,
  files TEXT,
  analysed_at TEXT);
CREATE TABLE IF NOT EXISTS observations(
  capture INTEGER NOT NULL,
  device TEXT NOT NULL,
  attr TEXT NOT NULL,
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  confidence REAL NOT NULL,
  first_ns INTEGER NOT NULL,
  last_ns INTEGER NOT NULL,
  count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  flow_id INTEGER,
  PRIMARY KEY(capture, device, attr, value, source)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices(
  id TEXT PRIMARY KEY,
  mac TEXT, ip TEXT, ips TEXT, mac_vendor TEXT,
  manufacturer TEXT, model TEXT, version TEXT, serial TEXT,
  type TEXT, class TEXT, medical INTEGER, os TEXT, os_eol INTEGER,
  hostname TEXT, first_ns INTEGER, last_ns INTEGER,
  digest TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts(
  id TEXT PRIMARY KEY,
  capture INTEGER NOT NULL,
  signature_id INTEGER NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  src_ip TEXT, dest_ip TEXT, protocol TEXT,
  first_ns INTEGER NOT NULL,
  last_ns INTEGER NOT NULL,
  count INTEGER NOT NULL,
  json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_capture ON alerts(capture);
INSERT OR IGNORE INTO meta(key, value) VALUES('inventory_schema', '1');
)SQL";

std::string sha256_hex(const std::string& data) { return text::digest_hex(EVP_sha256(), data); }

std::string now_iso() {
  char buf[32];
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
std::string col_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s, i))) : "";
}

// A gateway's flows carry the addresses it forwards for: only its
// link-local ones (they never cross a router) are its own.
bool forwarded_for_others(bool gateway, const std::string& source, const std::string& ip) {
  return gateway && source == "flow" && !link_local_address(ip);
}

// Confidences are stored and shown to two decimals.
double round2(double v) { return static_cast<double>(static_cast<int>(v * 100 + 0.5)) / 100; }

}  // namespace

std::string capture_key_of(const std::vector<std::string>& files) {
  std::string all;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw std::runtime_error(f + ": cannot read");
    in.seekg(0, std::ios::end);
    auto size = static_cast<uint64_t>(in.tellg());
    constexpr uint64_t kChunk = 1 << 20;
    std::string head(std::min(size, kChunk), '\0'), tail;
    in.seekg(0);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (size > kChunk) {
      tail.resize(std::min(size - kChunk, kChunk));
      in.seekg(static_cast<std::streamoff>(size - tail.size()));
      in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    }
    all += std::to_string(size) + ":" + sha256_hex(head) + ":" + sha256_hex(tail) + "\n";
  }
  return sha256_hex(all);
}

std::string default_db_path() {
  if (const char* e = std::getenv("MEDSENTRY_DB"); e && *e) return e;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/medsentry/inventory.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/medsentry/inventory.db";
}

Db::Db(const std::string& path, bool create) : path_(path) {
  if (create) {
    // The parent directory, private: the inventory says where devices and
    // their weaknesses are.
    size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) make_private_dirs(path.substr(0, slash), " for the inventory");
  } else {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) throw std::runtime_error(path + ": no inventory database (run 'medsentry analyze' first)");
  }
  // NOMUTEX: the inventory thread, then the main thread once it has ended,
  // use the connection; never two at once.
  int flags = (create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = path + ": cannot open inventory database: " + sqlite3_errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
  sqlite3_busy_timeout(db_, 30000);  // another analysis may be writing
  char* err = nullptr;
  if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path + ": not an inventory database: " + (err ? err : "unreadable");
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
  if (create) {
    exec(kSchema);
    chmod(path.c_str(), 0600);
    return;
  }
  // Reading: an inventory, or nothing (a foreign database is never written).
  sqlite3_stmt* st = nullptr;
  bool ours = sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='inventory_schema'", -1, &st, nullptr) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  if (!ours) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": not an inventory database");
  }
}

Db::~Db() {
  if (db_) sqlite3_close(db_);
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : "sqlite error");
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

Inventory::Inventory(const Options& opt) : opt_(opt) {
  db_ = std::make_unique<Db>(opt.db_path, true);
  sqlite3* h = db_->handle();
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h,
                     "INSERT INTO captures(key, files, analysed_at) VALUES(?,?,?) "
                     "ON CONFLICT(key) DO UPDATE SET analysed_at=excluded.analysed_at, files=excluded.files RETURNING id",
                     -1, &st, nullptr);
  bind_text(st, 1, opt.capture_key);
  bind_text(st, 2, opt.capture_files);
  bind_text(st, 3, now_iso());
  if (sqlite3_step(st) != SQLITE_ROW) {
    std::string msg = opt.db_path + ": " + sqlite3_errmsg(h);
    sqlite3_finalize(st);
    throw std::runtime_error(msg);
  }
  capture_id_ = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  // Idempotence: this capture's earlier observations are replaced.
  sqlite3_prepare_v2(h, "DELETE FROM observations WHERE capture=?", -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, capture_id_);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error(opt.db_path + ": " + sqlite3_errmsg(h));
  if (sqlite3_prepare_v2(h,
                         "INSERT INTO observations(capture, device, attr, value, source, confidence, first_ns, last_ns, "
                         "count, bytes, flow_id) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                         "ON CONFLICT(capture, device, attr, value, source) DO UPDATE SET "
                         "confidence=max(confidence, excluded.confidence), "
                         "flow_id=CASE WHEN excluded.first_ns < first_ns THEN excluded.flow_id ELSE flow_id END, "
                         "first_ns=min(first_ns, excluded.first_ns), last_ns=max(last_ns, excluded.last_ns), "
                         "count=count+excluded.count, bytes=bytes+excluded.bytes",
                         -1, &upsert_, nullptr) != SQLITE_OK) {
    throw std::runtime_error(opt.db_path + ": " + sqlite3_errmsg(h));
  }
}

Inventory::~Inventory() {
  if (upsert_) sqlite3_finalize(upsert_);
}

void Inventory::prepare() {
  OuiRegistry::instance();
  signatures();
  eol_table();
  canonical_vendor("x");
  dhcp_fingerprint("");
}

void Inventory::add(const Event& e) {
  if (e.event_type != "flow" && !observed_type(e.event_type)) return;
  // An HL7 connection carries the same applications message after message:
  // the first two of a connection are read, then only those that carry
  // patient data when that was not seen yet (one parse instead of nine on
  // the bench's feeds). Per connection, so the same for any number of workers.
  if (e.event_type == "hl7" && e.flow_id) {
    if (hl7_seen_.size() > 200000) hl7_seen_.clear();
    uint8_t& st = hl7_seen_[e.flow_id];  // low bits: messages read; 0x80: PHI seen
    bool phi = contains_text(e.json, "\"phi\":true");
    if ((st & 0x7f) >= 2 && (!phi || (st & 0x80))) return;
    if ((st & 0x7f) < 2) ++st;
    if (phi) st |= 0x80;
  }
  observe(e, [this](Observation&& o) { observe_one(std::move(o)); });
}

void Inventory::observe_one(Observation&& o) {
  ++stats_.observations;
  auto it = devices_.find(o.device);
  if (it == devices_.end()) {
    // Room first: the least recently seen device is written out.
    while (devices_.size() >= opt_.max_devices && !lru_.empty()) {
      auto v = devices_.find(lru_.back());
      write_out(v->first, v->second);
      lru_.pop_back();
      devices_.erase(v);
      ++stats_.evictions;
    }
    it = devices_.emplace(std::string(o.device), Device{}).first;
    lru_.push_front(it->first);
    it->second.lru = lru_.begin();
    stats_.max_resident = std::max<uint64_t>(stats_.max_resident, devices_.size());
  } else if (it->second.lru != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Device& d = it->second;
  std::string& k = key_buf_;  // reused: no allocation per observation
  k.clear();
  k += o.attr;
  k += '\x1f';
  k += o.value;
  k += '\x1f';
  k += o.source;
  TimeNs last = o.ts_last ? o.ts_last : o.ts;
  auto a = d.attrs.find(k);
  if (a == d.attrs.end()) {
    if (d.attrs.size() >= kMaxAttrsPerDevice) {
      ++stats_.dropped;
      return;
    }
    d.attrs.emplace(k, Agg{o.confidence, o.ts, last, 1, o.bytes, o.flow_id});
  } else {
    Agg& g = a->second;
    g.confidence = std::max(g.confidence, o.confidence);
    if (o.ts < g.first) {
      g.first = o.ts;
      g.flow_id = o.flow_id;
    }
    g.last = std::max(g.last, last);
    ++g.count;
    g.bytes += o.bytes;
  }
}

void Inventory::begin() {
  if (!in_tx_) {
    db_->exec("BEGIN");
    in_tx_ = true;
    tx_rows_ = 0;
  }
}

void Inventory::commit() {
  if (in_tx_) {
    db_->exec("COMMIT");
    in_tx_ = false;
  }
}

void Inventory::write_out(const std::string& key, Device& d) {
  // An address only named by DNS in this run, never seen: not kept (a
  // resolver answers for thousands of hosts that never appear).
  if (key.rfind("ip:", 0) == 0 &&
      std::all_of(d.attrs.begin(), d.attrs.end(), [](const auto& kv) { return kv.first.rfind("dns_name\x1f", 0) == 0; })) {
    ++stats_.unseen_names;
    return;
  }
  begin();
  for (const auto& [k, g] : d.attrs) {
    size_t p1 = k.find('\x1f'), p2 = k.find('\x1f', p1 + 1);
    sqlite3_reset(upsert_);
    sqlite3_bind_int64(upsert_, 1, capture_id_);
    bind_text(upsert_, 2, key);
    sqlite3_bind_text(upsert_, 3, k.data(), static_cast<int>(p1), SQLITE_TRANSIENT);
    sqlite3_bind_text(upsert_, 4, k.data() + p1 + 1, static_cast<int>(p2 - p1 - 1), SQLITE_TRANSIENT);
    sqlite3_bind_text(upsert_, 5, k.data() + p2 + 1, static_cast<int>(k.size() - p2 - 1), SQLITE_TRANSIENT);
    sqlite3_bind_double(upsert_, 6, round2(g.confidence));
    sqlite3_bind_int64(upsert_, 7, g.first);
    sqlite3_bind_int64(upsert_, 8, g.last);
    sqlite3_bind_int64(upsert_, 9, static_cast<int64_t>(g.count));
    sqlite3_bind_int64(upsert_, 10, static_cast<int64_t>(g.bytes));
    sqlite3_bind_int64(upsert_, 11, static_cast<int64_t>(g.flow_id));
    if (sqlite3_step(upsert_) != SQLITE_DONE) throw std::runtime_error(opt_.db_path + ": " + sqlite3_errmsg(db_->handle()));
    if (++tx_rows_ >= 50000) {
      commit();
      begin();
    }
  }
}

std::vector<Event> Inventory::finish() {
  for (auto& [k, d] : devices_) write_out(k, d);
  devices_.clear();
  lru_.clear();
  commit();
  return derive_devices(*db_, stats_);
}

// ---------------------------------------------------------------------------
// Derivation

namespace {

struct Row {
  std::string attr, value, source;
  double conf = 0;
  TimeNs first = 0, last = 0;
  uint64_t count = 0, bytes = 0, flow_id = 0;
};

struct Evidence {
  std::string source, observed;
  double conf;
  TimeNs first, last;
  uint64_t count, flow_id;
};

struct Candidate {
  std::string value;
  double conf = 0;
  std::vector<Evidence> evidence;
};

// Candidates for one field: the displayed value is the most confident, then
// the best supported, then the most specific; the others stay in the record.
// Independent pieces of evidence for one value add up (noisy-OR: 1 - the
// product of each one's doubt), so three weak hints can outweigh one.
class Field {
 public:
  void add(const std::string& value, double conf, const Row& r, const std::string& observed) {
    if (value.empty()) return;
    Candidate& c = by_value_[value];
    c.value = value;
    for (Evidence& e : c.evidence) {
      if (e.source == r.source && e.observed == observed) {
        e.conf = std::max(e.conf, conf);
        return;
      }
    }
    c.evidence.push_back({r.source, observed, conf, r.first, r.last, r.count, r.flow_id});
  }
  std::vector<Candidate> ranked() const {
    std::vector<Candidate> v;
    for (const auto& [k, c] : by_value_) {
      Candidate x = c;
      double doubt = 1;
      for (const Evidence& e : x.evidence) doubt *= 1 - std::min(e.conf, 0.99);
      x.conf = std::min(0.99, 1 - doubt);
      v.push_back(std::move(x));
    }
    std::sort(v.begin(), v.end(), [](const Candidate& a, const Candidate& b) {
      if (a.conf != b.conf) return a.conf > b.conf;
      if (a.evidence.size() != b.evidence.size()) return a.evidence.size() > b.evidence.size();
      if (a.value.size() != b.value.size()) return a.value.size() > b.value.size();
      return a.value < b.value;
    });
    for (Candidate& c : v) {
      std::sort(c.evidence.begin(), c.evidence.end(), [](const Evidence& a, const Evidence& b) {
        if (a.conf != b.conf) return a.conf > b.conf;
        if (a.source != b.source) return a.source < b.source;
        return a.observed < b.observed;
      });
      if (c.evidence.size() > kMaxEvidence) c.evidence.resize(kMaxEvidence);
    }
    return v;
  }

 private:
  std::map<std::string, Candidate> by_value_;
};

// The shown value: the best ranked candidate.
std::string best(const std::vector<Candidate>& ranked) { return ranked.empty() ? "" : ranked[0].value; }

// The best value, or a more specific one that contains it ("Alaris PC Unit
// 8015" over "Alaris"): the evidence for the product line supports the model
// too. The most specific refinement that is itself well supported wins.
std::string best_specific(const std::vector<Candidate>& ranked) {
  if (ranked.empty()) return "";
  const std::string base = text::lower(ranked[0].value);
  const Candidate* pick = &ranked[0];
  for (const Candidate& c : ranked) {
    if (c.conf >= 0.85 && c.value.size() > pick->value.size() && text::lower(c.value).find(base) != std::string::npos) pick = &c;
  }
  return pick->value;
}

struct Service {
  std::string proto, app, security;
  unsigned port = 0;
  TimeNs first = 0, last = 0;
  uint64_t flows = 0, bytes = 0;
};

struct Peer {
  std::string direction, ip, service;
  TimeNs first = 0, last = 0;
  uint64_t flows = 0, bytes = 0;
};

// Device type from a DICOM modality (PS3.3 C.7.3.1.1.1 defined terms).
std::string type_of_modality(const std::string& m) {
  if (m == "CT") return "CT";
  if (m == "MR") return "MR";
  if (m == "CR" || m == "DX" || m == "DR" || m == "RF" || m == "XA" || m == "MG" || m == "IO" || m == "PX") return "X-ray/DR/CR";
  if (m == "US" || m == "IVUS") return "ultrasound";
  if (m == "NM" || m == "PT") return "nuclear medicine";
  return "";
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

// Attributes the "any" signatures look at.
bool identity_text(const std::string& attr) {
  static const char* kAttrs[] = {"model", "description", "dhcp_vendor_class", "http_title", "http_server", "banner",
                                 "ssdp_server", "tls_subject", "equipment", "user_agent"};
  for (const char* a : kAttrs) {
    if (attr == a) return true;
  }
  return false;
}

struct Derived {
  std::string id, mac, mac_vendor, primary_ip, digest, record_json;
  std::string manufacturer, model, version, serial, type, cls, os, hostname;
  bool medical = false, os_eol = false, skip = false;
  std::vector<std::string> ips;
  TimeNs first = 0, last = 0;
};

Derived derive_one(const std::string& id, const std::vector<Row>& rows, bool gateway, const OuiRegistry& oui) {
  Derived d;
  d.id = id;
  bool is_mac = id.rfind("mac:", 0) == 0;
  if (is_mac) d.mac = id.substr(4);
  d.first = INT64_MAX;
  d.last = 0;
  for (const Row& r : rows) {
    d.first = std::min(d.first, r.first);
    d.last = std::max(d.last, r.last);
  }
  if (rows.empty()) d.first = 0;

  Field manufacturer, model, version, serial, type, cls, os, hostname;
  std::map<std::string, std::pair<TimeNs, TimeNs>> ips;
  std::map<std::string, std::set<std::string>> ip_sources;
  std::set<std::string> vlans, ae_titles, hl7_apps, equipment, dns_names, phi, roles, dicom_roles, cleartext_logins,
      default_creds, tls_weak, tls_versions, institutions, smb_dialects, ftp_data;
  std::map<std::string, Service> services;
  std::map<std::string, Peer> peers;
  std::vector<const Row*> dicom_objects;

  if (!is_mac) ips[id.substr(3)] = {d.first, d.last};
  if (is_mac) d.mac_vendor = oui.lookup(d.mac);
  // The IEEE organisation: a manufacturer of low confidence, and what the
  // `oui_vendor` signatures read (at full weight: their own confidence is low).
  const Row oui_row{"oui_vendor", d.mac_vendor, "ieee.registry", 0.8, d.first, d.last, 1, 0, 0};
  if (!d.mac_vendor.empty()) manufacturer.add(canonical_vendor(d.mac_vendor), 0.5, oui_row, d.mac_vendor);

  // Texts the signatures read, with the confidence of their source.
  std::vector<std::pair<const Row*, std::string>> texts;  // row, attribute name for signatures
  for (const Row& r : rows) {
    const std::string& a = r.attr;
    if (a == "ip") {
      if (forwarded_for_others(gateway, r.source, r.value)) continue;
      auto& span = ips[r.value];
      span.first = span.first ? std::min(span.first, r.first) : r.first;
      span.second = std::max(span.second, r.last);
      ip_sources[r.value].insert(r.source);
    } else if (a == "vlan") {
      vlans.insert(r.value);
    } else if (a == "hostname") {
      hostname.add(r.value, r.conf, r, r.value);
      texts.push_back({&r, "hostname"});
    } else if (a == "dns_name") {
      dns_names.insert(r.value);
      texts.push_back({&r, "dns_name"});
    } else if (a == "manufacturer") {
      manufacturer.add(canonical_vendor(r.value), r.conf, r, r.value);
    } else if (a == "serial") {
      serial.add(r.value, r.conf, r, r.value);
    } else if (a == "version") {
      version.add(r.value, r.conf, r, r.value);
    } else if (a == "ae_title") {
      ae_titles.insert(r.value);
    } else if (a == "hl7_app") {
      hl7_apps.insert(r.value);
      texts.push_back({&r, "hl7_app"});
    } else if (a == "equipment") {
      equipment.insert(r.value);
    } else if (a == "phi") {
      phi.insert(r.value);
    } else if (a == "role") {
      roles.insert(r.value);
    } else if (a == "dicom_role") {
      dicom_roles.insert(r.value);
    } else if (a == "dicom_object") {
      dicom_objects.push_back(&r);
    } else if (a == "institution") {
      institutions.insert(r.value);
    } else if (a == "cleartext_login") {
      cleartext_logins.insert(r.value);
    } else if (a == "default_credential") {
      default_creds.insert(r.value);
    } else if (a == "tls_weak") {
      tls_weak.insert(r.value);
    } else if (a == "tls_version") {
      tls_versions.insert(r.value);
    } else if (a == "smb_dialect") {
      smb_dialects.insert(r.value);
    } else if (a == "dhcp_fingerprint") {
      // FingerBank's families; a list several OSes send gives each of them.
      auto fps = dhcp_fingerprint(r.value);
      for (const DhcpFingerprint& f : fps) {
        double conf = fps.size() == 1 ? 0.6 : 0.45;
        os.add(f.os, conf, r, "DHCP parameter list " + r.value);
        if (f.family == "Printers") type.add("printer", 0.5, r, "DHCP parameter list of " + f.os);
        if (f.family == "Routers and APs" || f.family == "Switches") {
          type.add("network infrastructure", 0.5, r, "DHCP parameter list of " + f.os);
        }
      }
    } else if (a == "ftp_data_port") {
      ftp_data.insert(r.value);
    } else if (a == "snmp_object_id") {
      texts.push_back({&r, "snmp_object_id"});
    } else if (a == "dicom_implementation") {
      texts.push_back({&r, "dicom_implementation"});
    } else if (a == "ntlm_version") {
      os.add(os_from_ntlm_version(r.value), 0.85, r, r.value);
    } else if (a == "smb_os") {
      os.add(os_from_text(r.value), 0.7, r, r.value);
    } else if (a == "ssh_software") {
      size_t sp = r.value.find(' ');
      os.add(os_from_ssh(r.value.substr(0, sp), sp == std::string::npos ? "" : r.value.substr(sp + 1)), 0.7, r, r.value);
      texts.push_back({&r, "any"});
    } else if (a == "user_agent") {
      os.add(os_from_text(r.value), 0.6, r, r.value);
    } else if (a == "ttl") {
      os.add(os_from_ttl(static_cast<unsigned>(std::atoi(r.value.c_str()))), 0.2, r, "initial TTL " + r.value);
    } else if (a == "service") {
      // "tcp/104/dicom|cleartext"
      auto bar = split(r.value, '|');
      auto parts = split(bar[0], '/');
      if (parts.size() < 2) continue;
      std::string key = parts[0] + "/" + parts[1];
      Service& s = services[key];
      s.proto = parts[0];
      s.port = static_cast<unsigned>(std::atoi(parts[1].c_str()));
      if (parts.size() > 2) s.app = parts[2];
      if (bar.size() > 1) s.security = bar[1];
      s.first = s.first ? std::min(s.first, r.first) : r.first;
      s.last = std::max(s.last, r.last);
      s.flows += r.count;
      s.bytes += r.bytes;
    } else if (a == "peer") {
      auto p = split(r.value, '|');
      if (p.size() != 3) continue;
      Peer& x = peers[r.value];
      x.direction = p[0];
      x.ip = p[1];
      x.service = p[2];
      x.first = x.first ? std::min(x.first, r.first) : r.first;
      x.last = std::max(x.last, r.last);
      x.flows += r.count;
      x.bytes += r.bytes;
    }
    if (identity_text(a)) {
      texts.push_back({&r, "any"});
      if (a == "model") model.add(r.value, r.conf, r, r.value);
    }
  }
  for (const auto& kv : ips) d.ips.push_back(kv.first);
  // Passive FTP data connections land on ports the server opened for one
  // transfer: not services.
  for (auto it = services.begin(); it != services.end();) {
    const Service& s = it->second;
    bool data = s.proto == "tcp" && (s.app.empty() || s.app == "unknown") && ftp_data.count(std::to_string(s.port));
    it = data ? services.erase(it) : std::next(it);
  }
  if (!is_mac) {
    bool internal = false;
    for (const std::string& ip : d.ips) internal |= internal_address(ip);
    // An address only named (a DNS answer, an SNI) but never seen sending or
    // answering is not a device: names point at hosts that may not exist.
    bool seen = std::any_of(rows.begin(), rows.end(), [](const Row& r) {
      return r.attr == "seen" || r.attr == "service" || (r.attr == "peer" && r.value.rfind("out|", 0) == 0);
    });
    if (!internal || !seen) {
      d.skip = true;  // a remote address: a peer, not a device of ours
      return d;
    }
  }

  // DICOM objects describe the device that made them. A device that answers
  // retrievals forwards others' images; a device whose objects name several
  // makers or models is an archive or a router of images: neither is
  // described by them. Each object's tags: manufacturer|model|software|
  // serial|station|modality (observe.cc).
  std::vector<std::pair<const Row*, std::vector<std::string>>> objects;
  std::set<std::string> makers;
  for (const Row* r : dicom_objects) {
    auto f = split(r->value, '|');
    if (f.size() != 6) continue;
    makers.insert(f[0] + "|" + f[1]);
    objects.emplace_back(r, std::move(f));
  }
  if (dicom_roles.count("retrieve_scp") || makers.size() != 1) objects.clear();
  // Rows made here for the signatures (object models, the IEEE name): kept
  // alive beside `texts`, which points at them.
  std::vector<Row> made;
  made.reserve(objects.size() + 1);
  for (const auto& [r, f] : objects) {
    manufacturer.add(canonical_vendor(f[0]), 0.9, *r, f[0]);
    model.add(f[1], 0.9, *r, f[1]);
    version.add(f[2], 0.85, *r, f[2]);
    serial.add(f[3], 0.9, *r, f[3]);
    if (!f[4].empty()) hostname.add(f[4], 0.5, *r, "station name " + f[4]);
    type.add(type_of_modality(f[5]), 0.85, *r, "modality " + f[5]);
    if (!f[1].empty()) {
      Row m = *r;
      m.value = f[1];
      made.push_back(std::move(m));
      texts.push_back({&made.back(), "any"});
    }
  }
  if (!d.mac_vendor.empty()) {
    made.push_back(oui_row);
    texts.push_back({&made.back(), "oui_vendor"});
  }

  // Signatures.
  auto apply = [&](const Signature& s, const Row& r, const std::string& value, double weight) {
    auto m = match(s, value);
    if (!m) return;
    double conf = s.confidence * weight;
    Row ev = r;
    ev.source = r.source + " + data/device_signatures.csv rule " + std::to_string(s.line);
    if (!s.manufacturer.empty()) manufacturer.add(s.manufacturer, conf, ev, value);
    if (!m->model.empty()) model.add(m->model, conf, ev, value);
    if (!s.type.empty()) type.add(s.type, conf, ev, value);
    if (!s.cls.empty()) cls.add(s.cls, conf, ev, value);
  };
  // A rule's confidence, weighed by its source's (full at 0.8 and above).
  for (const Signature& s : signatures()) {
    for (const auto& [r, kind] : texts) {
      if (s.attribute == kind) apply(s, *r, r->value, std::min(1.0, r->conf / 0.8));
    }
  }

  // Roles seen in the traffic.
  auto role_type = [&](const std::string& role, const char* t, double conf) {
    Row r{"role", role, "traffic roles", conf, d.first, d.last, 1, 0, 0};
    type.add(t, conf, r, role);
  };
  if (roles.count("gateway") || roles.count("network")) role_type("gateway", "network infrastructure", 0.6);
  if (roles.count("dns_server") || roles.count("dhcp_server")) role_type(roles.count("dhcp_server") ? "dhcp_server" : "dns_server", "network infrastructure", 0.5);
  if (dicom_roles.count("retrieve_scp") || dicom_roles.count("query_scp")) role_type("DICOM query/retrieve SCP", "PACS/archive", 0.6);
  else if (dicom_roles.count("store_scp") && !dicom_roles.count("store_scu") && !dicom_roles.count("retrieve_scu"))
    role_type("DICOM storage SCP", "PACS/archive", 0.4);
  if (dicom_roles.count("worklist_scp")) role_type("DICOM modality worklist SCP", "EHR/clinical server", 0.6);
  if (dicom_roles.count("retrieve_scu")) role_type("DICOM retrieve SCU", "imaging workstation", 0.5);
  if (roles.count("fhir_server")) role_type("FHIR server", "EHR/clinical server", 0.6);
  if (roles.count("hl7_receiver")) role_type("HL7 receiver", "HL7/interface engine", 0.4);
  if (gateway) role_type("forwards for many addresses", "network infrastructure", 0.7);

  // Each field ranked once: the shown values here, every candidate in the
  // record's conclusions below.
  const std::pair<const char*, const Field*> fields[] = {{"manufacturer", &manufacturer}, {"model", &model},
                                                          {"version", &version},           {"serial", &serial},
                                                          {"type", &type},                 {"class", &cls},
                                                          {"os", &os},                     {"hostname", &hostname}};
  std::vector<Candidate> ranked[std::size(fields)];
  for (size_t i = 0; i < std::size(fields); ++i) ranked[i] = fields[i].second->ranked();
  d.manufacturer = best(ranked[0]);
  d.model = best_specific(ranked[1]);
  d.version = best(ranked[2]);
  d.serial = best(ranked[3]);
  d.type = best(ranked[4]);
  if (d.type == "general workstation/server") {
    // A PC maker, a desktop OS or a browser says "a PC"; a clinical role
    // played by that PC (a viewer retrieving studies, an engine, an archive)
    // says which PC: the role refines the generic type, it does not compete.
    static const char* kOnPcs[] = {"imaging workstation", "PACS/archive", "HL7/interface engine", "EHR/clinical server"};
    for (const Candidate& c : ranked[4]) {
      if (c.conf >= 0.4 && std::any_of(std::begin(kOnPcs), std::end(kOnPcs), [&](const char* t) { return c.value == t; })) {
        d.type = c.value;
        break;
      }
    }
  }
  if (d.type.empty()) d.type = "unknown";
  d.medical = is_medical_type(d.type) && d.type != "medical device server";
  d.cls = best(ranked[5]);
  if (d.cls.empty() && d.type != "unknown") {
    // Everything found on a wired clinical network that no rule calls
    // wearable, implantable or consumer is stationary.
    d.cls = "stationary";
  }
  if (d.cls.empty()) d.cls = "unknown";
  d.os = best(ranked[6]);
  const EolEntry* eol = eol_of(d.os);
  d.os_eol = eol != nullptr;
  d.hostname = best(ranked[7]);
  // The primary address: the most recently seen IPv4, else any.
  TimeNs best = -1;
  for (const auto& [ip, span] : ips) {
    bool v4 = ip.find(':') == std::string::npos;
    TimeNs score = span.second + (v4 ? (TimeNs{1} << 62) : 0);
    if (score > best) {
      best = score;
      d.primary_ip = ip;
    }
  }

  // The record.
  std::string js;
  JsonWriter w(js);
  w.begin_object();
  w.kv("id", d.id);
  if (!d.mac.empty()) {
    w.kv("mac", d.mac);
    w.kv("mac_vendor", d.mac_vendor);
    w.kv("randomized_mac", mac_locally_administered(d.mac));
  }
  if (gateway) w.kv("gateway", true);
  w.key("ips").begin_array();
  for (const auto& [ip, span] : ips) {
    w.begin_object().kv("ip", ip).kv("first_seen", format_time(span.first)).kv("last_seen", format_time(span.second));
    w.key("sources").begin_array();
    for (const auto& s : ip_sources[ip]) w.value(s);
    if (!is_mac) w.value("traffic");
    w.end_array().end_object();
  }
  w.end_array();
  w.key("vlans").begin_array();
  for (const auto& v : vlans) w.value(v);
  w.end_array();
  w.kv("hostname", d.hostname);
  auto list = [&w](const char* k, const std::set<std::string>& s) {
    w.key(k).begin_array();
    for (const auto& x : s) w.value(x);
    w.end_array();
  };
  list("dns_names", dns_names);
  w.kv("manufacturer", d.manufacturer);
  w.kv("model", d.model);
  w.kv("version", d.version);
  w.kv("serial", d.serial);
  w.kv("type", d.type);
  w.kv("class", d.cls);
  w.kv("medical", d.medical);
  w.kv("os", d.os);
  if (eol) {
    w.key("os_eol").begin_object().kv("os", eol->os).kv("end_of_support", eol->end_of_support).kv("source", eol->source).end_object();
  }
  list("ae_titles", ae_titles);
  list("hl7_apps", hl7_apps);
  list("equipment", equipment);
  list("institutions", institutions);
  w.key("services").begin_array();
  for (const auto& [k, s] : services) {
    w.begin_object().kv("proto", s.proto).kv("port", s.port);
    if (!s.app.empty()) w.kv("app", s.app);
    if (!s.security.empty()) w.kv("security", s.security);
    w.kv("flows", s.flows).kv("bytes", s.bytes).kv("first_seen", format_time(s.first)).kv("last_seen", format_time(s.last));
    w.end_object();
  }
  w.end_array();
  std::vector<const Peer*> pv;
  for (const auto& [k, p] : peers) pv.push_back(&p);
  std::sort(pv.begin(), pv.end(), [](const Peer* a, const Peer* b) {
    if (a->bytes != b->bytes) return a->bytes > b->bytes;
    return std::tie(a->ip, a->service, a->direction) < std::tie(b->ip, b->service, b->direction);
  });
  w.kv("peer_count", static_cast<uint64_t>(pv.size()));
  w.key("peers").begin_array();
  for (size_t i = 0; i < pv.size() && i < kMaxPeersInRecord; ++i) {
    const Peer& p = *pv[i];
    w.begin_object().kv("direction", p.direction).kv("ip", p.ip).kv("service", p.service).kv("flows", p.flows);
    w.kv("bytes", p.bytes).kv("first_seen", format_time(p.first)).kv("last_seen", format_time(p.last)).end_object();
  }
  w.end_array();
  w.key("phi").begin_object().kv("handles", !phi.empty());
  w.key("protocols").begin_array();
  for (const auto& p : phi) w.value(p);
  w.end_array().end_object();
  w.key("exposure").begin_object();
  list("cleartext_logins", cleartext_logins);
  list("default_credentials", default_creds);
  list("tls_versions", tls_versions);
  list("tls_weak", tls_weak);
  list("smb_dialects", smb_dialects);
  w.end_object();
  w.key("roles").begin_array();
  for (const auto& r : roles) w.value(r);
  for (const auto& r : dicom_roles) w.value("dicom_" + r);
  w.end_array();
  w.kv("first_seen", format_time(d.first));
  w.kv("last_seen", format_time(d.last));
  // Every conclusion with its candidates and their evidence: conflicts are
  // shown, not overwritten.
  w.key("conclusions").begin_object();
  for (size_t f = 0; f < std::size(fields); ++f) {
    if (ranked[f].empty()) continue;
    w.key(fields[f].first).begin_array();
    for (size_t i = 0; i < ranked[f].size() && i < kMaxCandidates; ++i) {
      const Candidate& c = ranked[f][i];
      w.begin_object().kv("value", c.value).kv("confidence", round2(c.conf));
      w.key("evidence").begin_array();
      for (const Evidence& e : c.evidence) {
        w.begin_object().kv("source", e.source).kv("observed", e.observed);
        if (e.flow_id) w.kv("flow_id", e.flow_id);
        w.kv("first_seen", format_time(e.first)).kv("last_seen", format_time(e.last)).kv("count", e.count).end_object();
      }
      w.end_array().end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.end_object();
  d.record_json = std::move(js);

  // What a `device` event reports a change of.
  std::string svc;
  for (const auto& [k, s] : services) svc += k + ",";
  std::string ipl;
  for (const auto& ip : d.ips) ipl += ip + ",";
  d.digest = d.manufacturer + "\x1f" + d.model + "\x1f" + d.version + "\x1f" + d.serial + "\x1f" + d.type + "\x1f" + d.cls +
             "\x1f" + d.os + "\x1f" + d.hostname + "\x1f" + ipl + "\x1f" + svc;
  return d;
}

const char* kDigestFields[] = {"manufacturer", "model", "version", "serial", "type", "class", "os", "hostname", "ips", "services"};

Event device_event(const Derived& d, const std::string& old_digest) {
  Envelope env;
  std::vector<std::string> changed;
  if (!old_digest.empty()) {
    auto a = split(old_digest, '\x1f'), b = split(d.digest, '\x1f');
    for (size_t i = 0; i < b.size() && i < 10; ++i) {
      if (i >= a.size() || a[i] != b[i]) changed.push_back(kDigestFields[i]);
    }
  }
  env.ts = old_digest.empty() ? d.first : d.last;
  EventBuilder b(env, "device");
  JsonWriter& w = b.w();
  w.key("device").begin_object();
  w.kv("change", old_digest.empty() ? "new" : "changed");
  if (!changed.empty()) {
    w.key("changed").begin_array();
    for (const auto& c : changed) w.value(c);
    w.end_array();
  }
  w.kv("id", d.id);
  if (!d.mac.empty()) w.kv("mac", d.mac);
  if (!d.mac_vendor.empty()) w.kv("mac_vendor", d.mac_vendor);
  if (!d.primary_ip.empty()) w.kv("ip", d.primary_ip);
  w.key("ips").begin_array();
  for (const auto& ip : d.ips) w.value(ip);
  w.end_array();
  using text::opt;
  opt(w, "hostname", d.hostname);
  opt(w, "manufacturer", d.manufacturer);
  opt(w, "model", d.model);
  opt(w, "version", d.version);
  opt(w, "serial", d.serial);
  w.kv("type", d.type);
  w.kv("class", d.cls);
  w.kv("medical", d.medical);
  opt(w, "os", d.os);
  if (d.os_eol) w.kv("os_eol", true);
  w.kv("first_seen", format_time(d.first));
  w.kv("last_seen", format_time(d.last));
  w.end_object();
  return b.finish();
}

}  // namespace

std::vector<Event> derive_devices(Db& db, Stats& stats) {
  sqlite3* h = db.handle();
  auto prepare = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(db.path() + ": " + sqlite3_errmsg(h));
    return st;
  };
  // 1. Address bindings: which MAC holds which IP. A MAC seen with many
  // addresses in traffic is a gateway: its flow addresses are others'.
  std::set<std::string> gateway_ips;
  {
    sqlite3_stmt* st = prepare("SELECT DISTINCT device FROM observations WHERE attr='role' AND value='gateway'");
    while (sqlite3_step(st) == SQLITE_ROW) gateway_ips.insert(col_text(st, 0).substr(3));
    sqlite3_finalize(st);
  }
  struct Binding {
    std::string ip, source;
    TimeNs last;
  };
  std::map<std::string, std::vector<Binding>> by_mac;
  {
    sqlite3_stmt* st = prepare(
        "SELECT device, value, source, max(last_ns) FROM observations WHERE attr='ip' AND device LIKE 'mac:%' "
        "GROUP BY device, value, source");
    while (sqlite3_step(st) == SQLITE_ROW) {
      by_mac[col_text(st, 0)].push_back({col_text(st, 1), col_text(st, 2), sqlite3_column_int64(st, 3)});
    }
    sqlite3_finalize(st);
  }
  std::set<std::string> gateways;
  for (auto& [mac, bs] : by_mac) {
    std::set<std::string> flow_ips;
    for (const Binding& b : bs) {
      if (b.source == "flow") flow_ips.insert(b.ip);
      if (b.source != "flow" && gateway_ips.count(b.ip)) gateways.insert(mac);
    }
    if (flow_ips.size() > kGatewayAddresses) gateways.insert(mac);
  }
  std::map<std::string, std::pair<std::string, TimeNs>> owner;  // ip -> (mac key, last)
  for (auto& [mac, bs] : by_mac) {
    bool gw = gateways.count(mac) > 0;
    for (const Binding& b : bs) {
      if (forwarded_for_others(gw, b.source, b.ip)) continue;
      auto& o = owner[b.ip];
      if (o.first.empty() || b.last > o.second || (b.last == o.second && mac < o.first)) o = {mac, b.last};
    }
  }
  db.exec("DROP TABLE IF EXISTS temp.resolve; CREATE TEMP TABLE resolve(ip TEXT PRIMARY KEY, mac TEXT NOT NULL)");
  {
    db.exec("BEGIN");
    sqlite3_stmt* st = prepare("INSERT INTO temp.resolve(ip, mac) VALUES(?,?)");
    for (const auto& [ip, o] : owner) {
      sqlite3_reset(st);
      bind_text(st, 1, "ip:" + ip);
      bind_text(st, 2, o.first);
      sqlite3_step(st);
    }
    sqlite3_finalize(st);
    db.exec("COMMIT");
  }
  const OuiRegistry& oui = OuiRegistry::instance();
  // 2. What the devices table said before, for the device events.
  std::unordered_map<std::string, std::string> before;
  {
    sqlite3_stmt* st = prepare("SELECT id, digest FROM devices");
    while (sqlite3_step(st) == SQLITE_ROW) before[col_text(st, 0)] = col_text(st, 1);
    sqlite3_finalize(st);
  }
  // 3. Every device, one at a time (memory: one device's rows).
  db.exec("BEGIN");
  db.exec("DELETE FROM devices");
  sqlite3_stmt* ins = prepare(
      "INSERT INTO devices(id, mac, ip, ips, mac_vendor, manufacturer, model, version, serial, type, class, medical, os, "
      "os_eol, hostname, first_ns, last_ns, digest, record) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  sqlite3_stmt* st = prepare(
      "SELECT coalesce(r.mac, o.device) AS k, o.attr, o.value, o.source, max(o.confidence), min(o.first_ns), "
      "max(o.last_ns), sum(o.count), sum(o.bytes), min(o.flow_id) "
      "FROM observations o LEFT JOIN temp.resolve r ON r.ip = o.device "
      "GROUP BY k, o.attr, o.value, o.source ORDER BY k");
  std::vector<Event> events;
  std::vector<Row> rows;
  std::string cur;
  stats.devices = stats.devices_new = stats.devices_changed = 0;
  auto flush = [&]() {
    if (cur.empty()) return;
    Derived d = derive_one(cur, rows, gateways.count(cur) > 0, oui);
    rows.clear();
    if (d.skip) return;
    ++stats.devices;
    sqlite3_reset(ins);
    bind_text(ins, 1, d.id);
    bind_text(ins, 2, d.mac);
    bind_text(ins, 3, d.primary_ip);
    std::string ipl;
    for (const auto& ip : d.ips) ipl += (ipl.empty() ? "" : " ") + ip;
    bind_text(ins, 4, ipl);
    bind_text(ins, 5, d.mac_vendor);
    bind_text(ins, 6, d.manufacturer);
    bind_text(ins, 7, d.model);
    bind_text(ins, 8, d.version);
    bind_text(ins, 9, d.serial);
    bind_text(ins, 10, d.type);
    bind_text(ins, 11, d.cls);
    sqlite3_bind_int(ins, 12, d.medical);
    bind_text(ins, 13, d.os);
    sqlite3_bind_int(ins, 14, d.os_eol);
    bind_text(ins, 15, d.hostname);
    sqlite3_bind_int64(ins, 16, d.first);
    sqlite3_bind_int64(ins, 17, d.last);
    bind_text(ins, 18, d.digest);
    bind_text(ins, 19, d.record_json);
    if (sqlite3_step(ins) != SQLITE_DONE) throw std::runtime_error(db.path() + ": " + sqlite3_errmsg(h));
    auto it = before.find(d.id);
    if (it == before.end()) {
      ++stats.devices_new;
      events.push_back(device_event(d, ""));
    } else if (it->second != d.digest) {
      ++stats.devices_changed;
      events.push_back(device_event(d, it->second));
    }
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string k = col_text(st, 0);
    if (k != cur) {
      flush();
      cur = k;
    }
    Row r;
    r.attr = col_text(st, 1);
    r.value = col_text(st, 2);
    r.source = col_text(st, 3);
    r.conf = sqlite3_column_double(st, 4);
    r.first = sqlite3_column_int64(st, 5);
    r.last = sqlite3_column_int64(st, 6);
    r.count = static_cast<uint64_t>(sqlite3_column_int64(st, 7));
    r.bytes = static_cast<uint64_t>(sqlite3_column_int64(st, 8));
    r.flow_id = static_cast<uint64_t>(sqlite3_column_int64(st, 9));
    rows.push_back(std::move(r));
  }
  flush();
  sqlite3_finalize(st);
  sqlite3_finalize(ins);
  db.exec("COMMIT");
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.json < b.json;
  });
  return events;
}

}  // namespace ms::inv
