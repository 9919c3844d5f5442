#include "dissectors/credential.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <unordered_map>

#include "common/csv.h"
#include "events/event.h"

namespace ms {

extern const char kDefaultCredentialsCsv[];  // generated from data/default_credentials.csv

namespace {

struct Row {
  std::string vendor;
  bool medical = false;
};

struct Table {
  std::vector<Row> rows;
  std::unordered_map<std::string, std::vector<uint32_t>> index;  // key(user, password) -> rows
};

std::string key(std::string_view user, std::string_view pw) {
  std::string k;
  k.reserve(user.size() + pw.size() + 1);
  for (char c : user) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  k += '\x1f';
  k.append(pw);
  return k;
}

const Table& table() {
  static const Table t = [] {
    Table t;
    auto rows = parse_csv(kDefaultCredentialsCsv, "data/default_credentials.csv");
    // header: vendor,product,username,password,medical,source
    for (size_t i = 1; i < rows.size(); ++i) {
      const std::vector<std::string>& f = rows[i];
      if (f.size() < 5) continue;
      Row r;
      r.vendor = f[1].empty() ? f[0] : f[0] + " " + f[1];
      r.medical = f[4] == "1";
      t.index[key(f[2], f[3])].push_back(static_cast<uint32_t>(t.rows.size()));
      t.rows.push_back(std::move(r));
    }
    return t;
  }();
  return t;
}

}  // namespace

const char* password_strength(std::string_view pw) {
  if (pw.empty()) return "empty";
  bool alpha = false, digit = false, symbol = false;
  for (char c : pw) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) alpha = true;
    else if (std::isdigit(u)) digit = true;
    else symbol = true;
  }
  return pw.size() >= 8 && alpha && digit && symbol ? "strong" : "weak";
}

size_t default_credential_rows() { return table().rows.size(); }

DefaultMatch match_default(std::string_view user, std::string_view pw) {
  DefaultMatch m;
  const Table& t = table();
  auto it = t.index.find(key(user, pw));
  if (it == t.index.end()) return m;
  m.matched = true;
  std::vector<uint32_t> ids = it->second;
  std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return t.rows[a].medical > t.rows[b].medical; });
  for (uint32_t i : ids) {
    m.medical = m.medical || t.rows[i].medical;
    if (m.vendors.size() < 5 && std::find(m.vendors.begin(), m.vendors.end(), t.rows[i].vendor) == m.vendors.end()) {
      m.vendors.push_back(t.rows[i].vendor);
    }
  }
  return m;
}

void emit_credential(AppContext& ctx, const Credential& c) {
  auto ev = std::make_unique<CredentialEvent>();
  ev->protocol = c.protocol;
  ev->method = c.method;
  ev->username = c.username.substr(0, 256);
  ev->domain = c.domain.substr(0, 256);
  ev->workstation = c.workstation.substr(0, 256);
  ev->password_seen = c.password_seen;
  if (c.password_seen) {
    ev->password_strength = password_strength(c.password);
    DefaultMatch m = match_default(c.username, c.password);
    ev->default_credential = m.matched;
    ev->default_medical = m.medical;
    ev->default_vendors = std::move(m.vendors);
  }
  ev->result = c.result;
  ctx.emit(make_event(ctx.envelope(), "credential", std::move(ev)));
}

}  // namespace ms
