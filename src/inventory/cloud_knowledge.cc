// The maker-cloud table (cloud_knowledge.h): loaded once from the compiled-in
// data/cloud_endpoints.csv, names looked up label by label.
#include "inventory/cloud_knowledge.h"

#include <stdexcept>
#include <unordered_map>

#include "common/csv.h"
#include "common/hash.h"
#include "dissectors/text.h"

namespace ms {
extern const char kCloudEndpointsCsv[];
}  // namespace ms

namespace ms::inv {

namespace {

constexpr size_t kCols = 8;
constexpr size_t kMaxName = 253;  // RFC 1035 §2.3.4
constexpr size_t kMaxAgent = 512;

CloudEndpoint parse_row(const std::vector<std::string>& r, int line) {
  auto bad = [line](const std::string& why) {
    return std::runtime_error("data/cloud_endpoints.csv: row " + std::to_string(line) + ": " + why);
  };
  if (r.size() != kCols) throw bad("has " + std::to_string(r.size()) + " fields, not 8");
  CloudEndpoint e;
  e.line = line;
  if (r[0] != "name" && r[0] != "user_agent") throw bad("kind is not name or user_agent");
  e.user_agent = r[0] == "user_agent";
  e.pattern = text::lower(r[1]);
  e.maker = r[2];
  e.family = r[3];
  e.cls = r[4];
  e.source = r[7];
  if (e.pattern.empty() || e.maker.empty() || e.family.empty()) throw bad("empty pattern, maker or product family");
  if (e.cls != "consumer" && e.cls != "wearable" && e.cls != "implantable" && e.cls != "stationary") throw bad("bad class");
  if (r[5] != "yes" && r[5] != "no") throw bad("medical is not yes or no");
  e.medical = r[5] == "yes";
  if (r[6] == "device") e.caller = CloudEndpoint::kDevice;
  else if (r[6] == "companion") e.caller = CloudEndpoint::kCompanion;
  else if (r[6] == "either") e.caller = CloudEndpoint::kEither;
  else throw bad("caller is not device, companion or either");
  if (e.source.rfind("https://", 0) != 0) throw bad("no https:// source");
  if (!e.user_agent && (e.pattern.rfind("www.", 0) == 0 || e.pattern.find('.') == std::string::npos)) {
    throw bad("a name pattern is a maker's domain, not www. or a top-level domain");
  }
  return e;
}

struct Tables {
  std::vector<CloudEndpoint> rows;
  StringMap<size_t> by_name;  // looked up by views of the name's suffixes, without a string each
};

const Tables& tables() {
  static const Tables t = [] {
    Tables out;
    auto rows = parse_csv(kCloudEndpointsCsv, "data/cloud_endpoints.csv");
    if (rows.empty()) throw std::runtime_error("data/cloud_endpoints.csv: empty");
    for (size_t i = 1; i < rows.size(); ++i) out.rows.push_back(parse_row(rows[i], static_cast<int>(i)));
    for (size_t i = 0; i < out.rows.size(); ++i) {
      if (!out.rows[i].user_agent && !out.by_name.emplace(out.rows[i].pattern, i).second) {
        throw std::runtime_error("data/cloud_endpoints.csv: row " + std::to_string(i + 1) + ": name listed twice");
      }
    }
    return out;
  }();
  return t;
}

bool token_start(std::string_view s, size_t at) {
  return at == 0 || s[at - 1] == ' ' || s[at - 1] == '(' || s[at - 1] == ';';
}

}  // namespace

const std::vector<CloudEndpoint>& cloud_endpoints() { return tables().rows; }

const CloudEndpoint* cloud_of_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxName) return nullptr;
  char buf[kMaxName];  // lower case, on the stack: every DNS question comes here
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  std::string_view n(buf, name.size());
  if (n.starts_with("www.")) return nullptr;
  const Tables& t = tables();
  // The name, then each name it is under: "a.b.withings.net", "b.withings.net", ...
  for (size_t at = 0; at < n.size();) {
    auto it = t.by_name.find(n.substr(at));
    if (it != t.by_name.end()) return &t.rows[it->second];
    size_t dot = n.find('.', at);
    if (dot == std::string::npos) break;
    at = dot + 1;
  }
  return nullptr;
}

const CloudEndpoint* cloud_of_user_agent(std::string_view ua) {
  if (ua.empty() || ua.size() > kMaxAgent) return nullptr;
  std::string s = text::lower(ua);
  for (const CloudEndpoint& e : tables().rows) {
    if (!e.user_agent) continue;
    for (size_t at = s.find(e.pattern); at != std::string::npos; at = s.find(e.pattern, at + 1)) {
      size_t end = at + e.pattern.size();
      if (token_start(s, at) && end < s.size() && s[end] == '/') return &e;
    }
  }
  return nullptr;
}

const char* caller_name(CloudEndpoint::Caller c) {
  return c == CloudEndpoint::kDevice ? "device" : c == CloudEndpoint::kCompanion ? "companion" : "either";
}

}  // namespace ms::inv
