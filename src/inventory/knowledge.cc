// The inventory's knowledge base (data/*.csv compiled in, IEEE registries read
// from Debian's ieee-data at run time).
#include "inventory/knowledge.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <stdexcept>

#include "common/csv.h"
#include "dissectors/text.h"
#include "inventory/regex_prefilter.h"

namespace ms {
extern const char kVendorAliasesCsv[];
extern const char kDeviceSignaturesCsv[];
extern const char kEolOsCsv[];
extern const char kDhcpFingerprintsCsv[];
}  // namespace ms

namespace ms::inv {

namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Table rows after the header, each with `cols` fields, or an error naming the line.
std::vector<std::vector<std::string>> table(const char* text, const char* name, size_t cols) {
  auto rows = parse_csv(text, name);
  if (rows.empty()) throw std::runtime_error(std::string(name) + ": empty");
  rows.erase(rows.begin());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != cols) {
      throw std::runtime_error(std::string(name) + ": row " + std::to_string(i + 1) + " has " +
                               std::to_string(rows[i].size()) + " fields, not " + std::to_string(cols));
    }
  }
  return rows;
}

std::vector<std::vector<std::string>> table_rows_dhcp() {
  return table(kDhcpFingerprintsCsv, "data/dhcp_fingerprints.csv", 3);
}

constexpr auto kIcase = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;

}  // namespace

bool parse_mac(std::string_view mac, uint8_t out[6]) {
  if (mac.size() != 17) return false;
  for (int i = 0; i < 6; ++i) {
    int hi = hexval(mac[i * 3]), lo = hexval(mac[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && mac[i * 3 + 2] != ':')) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool mac_locally_administered(std::string_view mac) {
  uint8_t m[6];
  return parse_mac(mac, m) && (m[0] & 0x02);
}

namespace {

// The organisation field that starts at `rest`: "MA-L,0050C2,Organization,
// Address" (RFC 4180 quoting when it holds a comma), trailing blanks and CR
// trimmed.
std::string organisation(std::string_view rest) {
  std::string org;
  if (!rest.empty() && rest[0] == '"') {
    for (size_t i = 1; i < rest.size(); ++i) {
      size_t q = rest.find('"', i);
      if (q == std::string_view::npos) q = rest.size();
      org.append(rest.substr(i, q - i));
      i = q;
      if (i + 1 < rest.size() && rest[i + 1] == '"') {
        org += '"';
        ++i;
        continue;
      }
      break;
    }
  } else {
    org = std::string(rest.substr(0, rest.find(',')));
  }
  while (!org.empty() && (org.back() == ' ' || org.back() == '\r')) org.pop_back();
  return org;
}

}  // namespace

OuiRegistry::OuiRegistry(const std::string& dir) {
  static const struct {
    const char* file;
    int idx, digits;
  } kFiles[] = {{"oui.csv", 0, 6}, {"mam.csv", 1, 7}, {"oui36.csv", 2, 9}};
  for (const auto& f : kFiles) {
    std::ifstream in(dir + "/" + f.file, std::ios::binary);
    if (!in) continue;
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    if (size <= 0 || size > (64 << 20)) continue;  // a registry is a few MB
    std::string text(static_cast<size_t>(size), '\0');
    in.seekg(0);
    if (!in.read(text.data(), size)) continue;
    auto t = static_cast<uint32_t>(texts_.size());
    std::vector<Entry>& entries = by_prefix_[f.idx];
    // "MA-L,0050C2,Organization,Address": the assignment is the second field
    // (hex, never quoted), the organisation the third. A line of another
    // shape is skipped. The header line is skipped too.
    size_t pos = text.find('\n');
    while (pos != std::string::npos && pos + 1 < text.size()) {
      size_t start = pos + 1;
      pos = text.find('\n', start);
      std::string_view line(text.data() + start, (pos == std::string::npos ? text.size() : pos) - start);
      size_t comma = line.find(',');
      size_t digits = static_cast<size_t>(f.digits);
      if (comma == std::string_view::npos || comma + 2 + digits > line.size() || line[comma + 1 + digits] != ',') continue;
      uint64_t v = 0;
      bool ok = true;
      for (char c : line.substr(comma + 1, digits)) {
        int h = hexval(c);
        ok &= h >= 0;
        v = v << 4 | static_cast<uint64_t>(h < 0 ? 0 : h);
      }
      if (ok) entries.push_back({v, t, static_cast<uint32_t>(start + comma + 2 + digits)});
    }
    // A prefix listed twice keeps its first line, as the map this replaced did.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.prefix < b.prefix; });
    entries.erase(std::unique(entries.begin(), entries.end(),
                              [](const Entry& a, const Entry& b) { return a.prefix == b.prefix; }),
                  entries.end());
    n_ += entries.size();
    texts_.push_back(std::move(text));
  }
}

std::string OuiRegistry::default_dir() {
  const char* d = std::getenv("MEDSENTRY_IEEE_DATA");
  return d && *d ? d : "/usr/share/ieee-data";
}

const OuiRegistry& OuiRegistry::instance() {
  // Never destroyed: freeing its ~50,000 entries at exit took longer than
  // the process's own teardown, for nothing.
  static const OuiRegistry* reg = new OuiRegistry(default_dir());
  return *reg;
}

std::string OuiRegistry::lookup(std::string_view mac) const {
  uint8_t m[6];
  if (!parse_mac(mac, m) || (m[0] & 0x02)) return "";
  uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = v << 8 | m[i];
  // 48-bit address: MA-S is the top 36 bits, MA-M 28, MA-L 24.
  static const int kBits[3] = {24, 28, 36};
  for (int idx = 2; idx >= 0; --idx) {
    const std::vector<Entry>& entries = by_prefix_[idx];
    uint64_t prefix = v >> (48 - kBits[idx]);
    auto it = std::lower_bound(entries.begin(), entries.end(), prefix,
                               [](const Entry& e, uint64_t p) { return e.prefix < p; });
    if (it == entries.end() || it->prefix != prefix) continue;
    const std::string& text = texts_[it->text];
    size_t end = text.find('\n', it->offset);
    std::string org =
        organisation(std::string_view(text).substr(it->offset, (end == std::string::npos ? text.size() : end) - it->offset));
    if (org != "IEEE Registration Authority" && org != "Private") return org;
  }
  return "";
}

std::string canonical_vendor(std::string_view name) {
  struct Alias {
    std::regex re;
    std::string vendor;
  };
  static const std::vector<Alias> aliases = [] {
    std::vector<Alias> out;
    for (auto& r : table(kVendorAliasesCsv, "data/vendor_aliases.csv", 2)) out.push_back({std::regex(r[0], kIcase), r[1]});
    return out;
  }();
  std::string s(name);
  while (!s.empty() && (s.back() == ' ' || s.back() == '.')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  if (s.empty()) return s;
  for (const Alias& a : aliases) {
    if (std::regex_search(s, a.re)) return a.vendor;
  }
  static const std::regex suffix(R"((,?\s+(Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|GmbH|AG|SA|S\.A|BV|B\.V|AB|Oy|KK|K\.K|plc)\.?)+$)",
                                 kIcase);
  std::string t = std::regex_replace(s, suffix, "");
  return t.empty() ? s : t;
}

const std::vector<std::string>& device_types() {
  static const std::vector<std::string> t = {
      "CT", "MR", "X-ray/DR/CR", "ultrasound", "nuclear medicine", "patient monitor", "infusion pump", "ventilator",
      "anesthesia machine", "lab analyzer", "PACS/archive", "imaging workstation", "HL7/interface engine",
      "EHR/clinical server", "medication cabinet", "nurse call", "personal health device", "medical device server", "printer",
      "network infrastructure", "general workstation/server", "unknown"};
  return t;
}

bool is_medical_type(std::string_view type) {
  static const char* kNot[] = {"printer", "network infrastructure", "general workstation/server", "unknown", ""};
  for (const char* n : kNot) {
    if (type == n) return false;
  }
  return true;
}

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> sigs = [] {
    std::vector<Signature> out;
    int n = 0;
    for (auto& r : table(kDeviceSignaturesCsv, "data/device_signatures.csv", 8)) {
      Signature s;
      s.line = ++n;
      s.manufacturer = r[0];
      s.attribute = r[1];
      s.pattern = r[2];
      s.model = r[3];
      s.type = r[4];
      s.cls = r[5];
      s.confidence = std::atof(r[6].c_str());
      s.example = r[7];
      s.literals = required_literals(s.pattern);
      s.compiled = std::make_shared<Signature::Compiled>();
      out.push_back(std::move(s));
    }
    return out;
  }();
  return sigs;
}

struct Signature::Compiled {
  std::once_flag once;
  std::regex re;
};

const std::regex& Signature::re() const {
  // A bad pattern fails here, at its first use (the unit tests compile
  // every one: data/device_signatures.csv is compiled into the binary).
  std::call_once(compiled->once, [this] {
    try {
      compiled->re = std::regex(pattern, kIcase);
    } catch (const std::regex_error& e) {
      throw std::runtime_error("data/device_signatures.csv: rule " + std::to_string(line) + ": bad pattern: " + e.what());
    }
  });
  return compiled->re;
}

std::optional<SignatureMatch> match(const Signature& s, const std::string& value) {
  return match(s, value, text::lower(value));
}

std::optional<SignatureMatch> match(const Signature& s, const std::string& value, std::string_view lowered) {
  if (value.size() > 1024 || (s.literals && !contains_any(lowered, *s.literals))) return std::nullopt;
  std::smatch m;
  if (!std::regex_search(value, m, s.re())) return std::nullopt;
  SignatureMatch out;
  out.sig = &s;
  for (size_t i = 0; i < s.model.size(); ++i) {
    char c = s.model[i];
    if (c == '$' && i + 1 < s.model.size() && std::isdigit(static_cast<unsigned char>(s.model[i + 1]))) {
      size_t g = static_cast<size_t>(s.model[++i] - '0');
      if (g < m.size() && m[g].matched) out.model += m[g].str();
    } else {
      out.model += c;
    }
  }
  while (!out.model.empty() && out.model.back() == ' ') out.model.pop_back();
  return out;
}

const std::vector<EolEntry>& eol_table() {
  static const std::vector<EolEntry> t = [] {
    std::vector<EolEntry> out;
    for (auto& r : table(kEolOsCsv, "data/eol_os.csv", 4)) out.push_back({r[0], r[1], r[2], r[3], std::regex(r[0], kIcase)});
    return out;
  }();
  return t;
}

const EolEntry* eol_of(const std::string& os) {
  if (os.empty()) return nullptr;
  for (const EolEntry& e : eol_table()) {
    if (std::regex_search(os, e.re)) return &e;
  }
  return nullptr;
}

std::vector<DhcpFingerprint> dhcp_fingerprint(const std::string& params) {
  static const std::unordered_multimap<std::string, DhcpFingerprint> table = [] {
    std::unordered_multimap<std::string, DhcpFingerprint> t;
    for (auto& r : table_rows_dhcp()) t.emplace(r[0], DhcpFingerprint{r[1], r[2]});
    return t;
  }();
  std::vector<DhcpFingerprint> out;
  auto [a, b] = table.equal_range(params);
  for (auto it = a; it != b; ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end(), [](const DhcpFingerprint& x, const DhcpFingerprint& y) { return x.os < y.os; });
  return out;
}

std::string os_from_ntlm_version(std::string_view v) {
  // "6.1 build 7601 rev 15": Windows' own major.minor and build. Samba and
  // other non-Windows stacks send build 0.
  unsigned major = 0, minor = 0, build = 0;
  std::string s(v);
  if (std::sscanf(s.c_str(), "%u.%u build %u", &major, &minor, &build) != 3) return "";
  if (build == 0) return "";
  std::string b = " (build " + std::to_string(build) + ")";
  if (major == 5 && minor == 0) return "Windows 2000" + b;
  if (major == 5 && minor == 1) return "Windows XP" + b;
  if (major == 5 && minor == 2) return "Windows Server 2003" + b;
  if (major == 6 && minor == 0) return "Windows Vista / Server 2008" + b;
  if (major == 6 && minor == 1) return "Windows 7 / Server 2008 R2" + b;
  if (major == 6 && minor == 2) return "Windows 8 / Server 2012" + b;
  if (major == 6 && minor == 3) return "Windows 8.1 / Server 2012 R2" + b;
  if (major == 10 && build >= 22000) return "Windows 11 / Server 2022 or later" + b;
  if (major == 10 && build >= 20348) return "Windows Server 2022" + b;
  if (major == 10) return "Windows 10 / Server 2016-2019" + b;
  return "Windows " + std::to_string(major) + "." + std::to_string(minor) + b;
}

std::string os_from_text(std::string_view text) {
  struct Rule {
    std::regex re;
    const char* os;
  };
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> r;
    auto add = [&r](const char* p, const char* os) { r.push_back({std::regex(p, kIcase), os}); };
    add(R"(Windows NT 5\.0|Windows 2000)", "Windows 2000");
    add(R"(Windows XP Embedded|XPe\b)", "Windows XP Embedded");
    add(R"(Windows NT 5\.1|Windows XP|Windows 5\.1\b)", "Windows XP");
    add(R"(Windows NT 5\.2|Windows Server 2003|Windows 5\.2\b)", "Windows Server 2003");
    add(R"(Windows Embedded Standard 7|WES7)", "Windows Embedded Standard 7");
    add(R"(Windows Server 2008 R2)", "Windows 7 / Server 2008 R2");
    add(R"(Windows Server 2008|Windows NT 6\.0|Windows Vista)", "Windows Vista / Server 2008");
    add(R"(Windows NT 6\.1|Windows 7\b)", "Windows 7");
    add(R"(Windows Server 2012 R2|Windows NT 6\.3|Windows 8\.1)", "Windows 8.1 / Server 2012 R2");
    add(R"(Windows Server 2012|Windows NT 6\.2|Windows 8\b)", "Windows 8 / Server 2012");
    add(R"(Windows Server 2016)", "Windows Server 2016");
    add(R"(Windows Server 2019)", "Windows Server 2019");
    add(R"(Windows Server 2022)", "Windows Server 2022");
    add(R"(Windows 11\b)", "Windows 11");
    add(R"(Windows 10\b)", "Windows 10");
    add(R"(Windows CE|Windows Embedded Compact)", "Windows CE");
    add(R"(Windows NT 10\.0)", "Windows 10 / 11");
    add(R"(CentOS( Linux)? ?release ?6|\.el6\b)", "CentOS 6");
    add(R"(CentOS( Linux)? ?release ?7|\.el7\b)", "CentOS 7");
    add(R"(Red Hat Enterprise Linux( Server)? release 6|\.el6\b)", "RHEL 6");
    add(R"(\bLinux[ /](\S+ )?2\.[46]\.\d+)", "Linux kernel 2.x");
    add(R"(\bVxWorks\b)", "VxWorks");
    add(R"(\bQNX\b)", "QNX");
    add(R"(\bAndroid\b)", "Android");
    add(R"(Mac OS X|macOS)", "macOS");
    add(R"(\biPhone OS|\biOS\b)", "iOS");
    add(R"(Cisco IOS)", "Cisco IOS");
    add(R"(\bLinux\b)", "Linux");
    return r;
  }();
  if (text.empty() || text.size() > 1024) return "";
  std::string s(text);
  static const std::regex ubuntu(R"(Ubuntu[ /-]?(\d\d\.\d\d))", kIcase);
  std::smatch m;
  if (std::regex_search(s, m, ubuntu)) return "Ubuntu " + m[1].str();
  for (const Rule& r : rules) {
    if (*r.os && std::regex_search(s, r.re)) {
      // "Linux 2.6.32": keep the kernel version visible.
      if (std::string_view(r.os) == "Linux kernel 2.x") {
        static const std::regex k(R"(Linux[ /](\S+ )?(2\.[46]\.\d+))", kIcase);
        if (std::regex_search(s, m, k)) return "Linux " + m[2].str();
      }
      return r.os;
    }
  }
  return "";
}

std::string os_from_ssh(std::string_view software, std::string_view comments) {
  std::string sw(software), c(comments);
  std::smatch m;
  static const std::regex deb(R"(deb(\d+)u?)", kIcase);
  static const std::regex ubu(R"(Ubuntu-\d*ubuntu(\d+)\.(\d+))", kIcase);
  if (std::regex_search(c, m, deb)) return "Debian " + m[1].str();
  if (c.find("Debian") != std::string::npos) return "Debian";
  if (c.find("Ubuntu") != std::string::npos || c.find("ubuntu") != std::string::npos) return "Ubuntu";
  if (c.find("FreeBSD") != std::string::npos) return "FreeBSD";
  if (sw.find("for_Windows") != std::string::npos) return "Windows";
  if (text::lower(sw).find("dropbear") != std::string::npos) return "embedded Linux (Dropbear)";
  if (text::lower(sw).find("cisco") != std::string::npos) return "Cisco IOS";
  std::string os = os_from_text(c);
  return os;
}

std::string os_from_ttl(unsigned ttl) {
  if (ttl == 0) return "";
  if (ttl <= 64) return "Linux/Unix family (initial TTL 64)";
  if (ttl <= 128) return "Windows family (initial TTL 128)";
  return "network or embedded device (initial TTL 255)";
}

}  // namespace ms::inv
