// The console's read API: session, overview, devices, alerts (routes.h).
// Every list is paginated with a capped page size; every filter is a bound
// value; the alert list's total is counted up to kCountCap (docs/console.md).
#include <iterator>
#include <string>
#include <vector>

#include "common/cidr.h"
#include "common/json_reader.h"
#include "common/json_writer.h"
#include "common/types.h"
#include "console/routes.h"
#include "console/sql.h"

namespace ms::console {

namespace {

constexpr int64_t kMaxLimit = 200, kDefaultLimit = 50, kMaxOffset = 10'000'000, kCountCap = 10000;
constexpr size_t kMaxFilter = 128;

struct Where {
  std::string sql;
  std::vector<std::string> binds;
  void add(const std::string& clause) { sql += (sql.empty() ? " WHERE " : " AND ") + clause; }
  void bind_all(Stmt& s) const {
    for (const auto& b : binds) s.bind(b);
  }
};

int64_t num_param(const Req& r, const char* k, int64_t dflt, int64_t lo, int64_t hi) {
  std::string v = r.param(k);
  if (v.empty() || v.size() > 9) return dflt;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return dflt;
    n = n * 10 + (c - '0');
  }
  return n < lo ? lo : n > hi ? hi : n;
}

// A filter value: empty when absent, refused (false) when too long.
bool filter(const Req& r, const char* k, std::string& out) {
  out = r.param(k);
  return out.size() <= kMaxFilter;
}

std::string like_pattern(const std::string& s) {
  std::string p = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

std::string iso(int64_t ns) { return ns ? format_time(static_cast<TimeNs>(ns)) : ""; }

void send(Resp& res, std::string& body) {
  json_html_safe(body);
  res.json(200, std::move(body));
}

void write_counts(JsonWriter& w, const char* key, sqlite3* db, const std::string& sql) {
  w.key(key).begin_array();
  Stmt s(db, sql);
  while (s.step()) w.begin_object().kv("name", s.text(0)).kv("count", s.i64(1)).end_object();
  w.end_array();
}

}  // namespace

void api_session(Context&, const Req& req, Resp& res) {
  std::string b;
  JsonWriter w(b);
  w.begin_object().kv("user", req.session.user).kv("role", role_name(req.session.role)).kv("csrf", req.session.csrf).end_object();
  send(res, b);
}

void api_overview(Context& ctx, const Req&, Resp& res) {
  ReadDb db(ctx.db_path);
  sqlite3* h = db.handle();
  std::string b;
  JsonWriter w(b);
  w.begin_object();
  {
    Stmt s(h, "SELECT count(*), coalesce(sum(medical),0), coalesce(sum(os_eol),0) FROM devices");
    s.step();
    w.key("devices").begin_object().kv("total", s.i64(0)).kv("medical", s.i64(1)).kv("it", s.i64(0) - s.i64(1));
    w.kv("os_end_of_life", s.i64(2)).end_object();
  }
  write_counts(w, "device_types", h, "SELECT type, count(*) FROM devices GROUP BY type ORDER BY 2 DESC, 1 LIMIT 64");
  write_counts(w, "device_classes", h, "SELECT class, count(*) FROM devices GROUP BY class ORDER BY 2 DESC, 1 LIMIT 64");
  // By rank alone: the index alerts_rank_last answers it without reading a
  // row (taking the name from the rows read all million of them: 8 s).
  w.key("alert_severities").begin_array();
  {
    static const char* kNames[] = {"info", "low", "medium", "high", "critical"};
    Stmt s(h, "SELECT severity_rank, count(*) FROM alerts GROUP BY severity_rank ORDER BY 1 DESC");
    while (s.step()) {
      int64_t r = s.i64(0);
      w.begin_object().kv("name", r >= 0 && r < 5 ? kNames[r] : "?").kv("count", s.i64(1)).end_object();
    }
  }
  w.end_array();
  write_counts(w, "alert_rules", h, "SELECT rule, count(*) FROM alerts GROUP BY rule ORDER BY 2 DESC, 1 LIMIT 20");
  write_counts(w, "alert_states", h,
               "SELECT t.state, count(*) FROM alert_triage t JOIN alerts a ON a.id = t.alert_id GROUP BY t.state ORDER BY 1");
  // Alerts per day (UTC) of the 30 latest days with alerts: the expression
  // index alerts_day makes this an index scan (prepare_schema).
  w.key("alerts_per_day").begin_array();
  {
    Stmt s(h, "SELECT first_ns / 86400000000000, count(*) FROM alerts GROUP BY first_ns / 86400000000000 ORDER BY 1 DESC LIMIT 30");
    while (s.step()) w.begin_object().kv("day", iso(s.i64(0) * 86400000000000).substr(0, 10)).kv("count", s.i64(1)).end_object();
  }
  w.end_array();
  {
    Stmt s(h, "SELECT count(*), coalesce(max(analysed_at),'') FROM captures");
    s.step();
    w.key("captures").begin_object().kv("total", s.i64(0)).kv("last_analysed", s.text(1)).end_object();
  }
  w.end_object();
  send(res, b);
}

namespace {

const char* kDeviceCols =
    "id, mac, ip, ips, mac_vendor, manufacturer, model, version, type, class, medical, os, os_eol, hostname, first_ns, last_ns";

void write_device_row(JsonWriter& w, const Stmt& s) {
  static const char* names[] = {"id", "mac", "ip", "ips", "mac_vendor", "manufacturer", "model", "version", "type", "class"};
  for (int i = 0; i < 10; ++i) w.kv(names[i], s.text(i));
  w.kv("medical", s.i64(10) != 0).kv("os", s.text(11)).kv("os_eol", s.i64(12) != 0).kv("hostname", s.text(13));
  w.kv("first_seen", iso(s.i64(14))).kv("last_seen", iso(s.i64(15)));
}

// ms_in_subnet(ips, cidr): whether one of a device's addresses (the `ips`
// column, space-separated) is inside the range (common/cidr.h).
void in_subnet(sqlite3_context* c, int, sqlite3_value** v) {
  const char* ips = reinterpret_cast<const char*>(sqlite3_value_text(v[0]));
  const char* range = reinterpret_cast<const char*>(sqlite3_value_text(v[1]));
  Cidr cidr;
  bool hit = false;
  if (ips && range && parse_cidr(range, cidr)) {
    std::string_view all(ips);
    for (size_t i = 0; i < all.size() && !hit;) {
      size_t j = all.find(' ', i);
      if (j == std::string_view::npos) j = all.size();
      hit = in_cidr(all.substr(i, j - i), cidr);
      i = j + 1;
    }
  }
  sqlite3_result_int(c, hit);
}

bool device_where(const Req& req, Where& wh, Resp& res) {
  std::string q, type, vendor, cls, medical, subnet;
  if (!filter(req, "q", q) || !filter(req, "type", type) || !filter(req, "vendor", vendor) || !filter(req, "class", cls) ||
      !filter(req, "medical", medical) || !filter(req, "subnet", subnet)) {
    res.error(400, "filter too long");
    return false;
  }
  Cidr cidr;
  if (!subnet.empty() && !parse_cidr(subnet, cidr)) {
    res.error(400, "subnet: an address range such as 10.60.0.0/24");
    return false;
  }
  if (!q.empty()) {
    wh.add("(id LIKE ?1 ESCAPE '\\' OR hostname LIKE ?1 ESCAPE '\\' OR ips LIKE ?1 ESCAPE '\\' OR "
           "manufacturer LIKE ?1 ESCAPE '\\' OR model LIKE ?1 ESCAPE '\\' OR mac_vendor LIKE ?1 ESCAPE '\\')");
    wh.binds.push_back(like_pattern(q));
  }
  // Numbered parameters: ?1 is the search text; the rest follow in order.
  auto next = [&wh]() { return "?" + std::to_string(wh.binds.size() + 1); };
  if (!type.empty()) {
    wh.add("type = " + next());
    wh.binds.push_back(type);
  }
  if (!cls.empty()) {
    wh.add("class = " + next());
    wh.binds.push_back(cls);
  }
  if (!vendor.empty()) {
    std::string n = next();
    wh.add("(manufacturer LIKE " + n + " ESCAPE '\\' OR mac_vendor LIKE " + n + " ESCAPE '\\')");
    wh.binds.push_back(like_pattern(vendor));
  }
  if (medical == "1" || medical == "0") wh.add(medical == "1" ? "medical = 1" : "medical = 0");
  if (!subnet.empty()) {
    wh.add("ms_in_subnet(ips, " + next() + ")");
    wh.binds.push_back(subnet);
  }
  return true;
}

}  // namespace

void api_devices(Context& ctx, const Req& req, Resp& res) {
  Where wh;
  if (!device_where(req, wh, res)) return;
  static const std::pair<const char*, const char*> kSorts[] = {
      {"last_seen", "last_ns"}, {"first_seen", "first_ns"}, {"type", "type"}, {"manufacturer", "manufacturer"},
      {"ip", "ip"},             {"hostname", "hostname"},   {"id", "id"}};
  std::string sort = "last_ns", want = req.param("sort");
  for (const auto& [k, col] : kSorts) {
    if (want == k) sort = col;
  }
  std::string dir = req.param("order") == "asc" ? "ASC" : "DESC";
  int64_t limit = num_param(req, "limit", kDefaultLimit, 1, kMaxLimit), offset = num_param(req, "offset", 0, 0, kMaxOffset);
  // Both keys in one direction, so an index (column, id) gives the order.
  // A text search reads every row anyway: then one scan counts and pages
  // (a window count, and "+column" so the scan is not in index order).
  bool search = !req.param("q").empty() || !req.param("subnet").empty();
  std::string order = " ORDER BY " + std::string(search ? "+" : "") + sort + " " + dir + ", id " + dir;
  std::string page = " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset);
  ReadDb db(ctx.db_path);
  sqlite3_create_function(db.handle(), "ms_in_subnet", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, in_subnet, nullptr, nullptr);
  std::string rows;
  JsonWriter rw(rows);
  int64_t total = -1;
  {
    Stmt s(db.handle(), std::string("SELECT ") + kDeviceCols + (search ? ", count(*) OVER ()" : ", 0") + " FROM devices" +
                            wh.sql + order + page);
    wh.bind_all(s);
    while (s.step()) {
      rw.begin_object();
      write_device_row(rw, s);
      rw.end_object();
      if (search) total = s.i64(16);
    }
  }
  if (total < 0) {
    Stmt s(db.handle(), "SELECT count(*) FROM devices" + wh.sql);
    wh.bind_all(s);
    s.step();
    total = s.i64(0);
  }
  std::string b;
  JsonWriter w(b);
  w.begin_object().kv("total", total).kv("limit", limit).kv("offset", offset).key("devices").begin_array();
  w.raw(rows).end_array().end_object();
  send(res, b);
}

namespace {

// One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a
// formula (= + - @, tab, CR first: OWASP "CSV Injection") gets a ' first.
void csv_cell(std::string& out, const std::string& v) {
  out += '"';
  if (!v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

// Every device the filters select (at most kMaxCsvRows), as CSV.
void api_devices_csv(Context& ctx, const Req& req, Resp& res) {
  constexpr int kMaxCsvRows = 200000;
  Where wh;
  if (!device_where(req, wh, res)) return;
  ReadDb db(ctx.db_path);
  sqlite3_create_function(db.handle(), "ms_in_subnet", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, in_subnet, nullptr, nullptr);
  Stmt s(db.handle(), std::string("SELECT ") + kDeviceCols + " FROM devices" + wh.sql + " ORDER BY id LIMIT " +
                          std::to_string(kMaxCsvRows));
  wh.bind_all(s);
  static const char* kHead[] = {"id", "mac", "ip", "ips", "mac_vendor", "manufacturer", "model", "version", "type", "class",
                                "medical", "os", "os_eol", "hostname", "first_seen", "last_seen"};
  std::string out;
  for (size_t i = 0; i < std::size(kHead); ++i) out += std::string(i ? "," : "") + kHead[i];
  out += "\r\n";
  while (s.step()) {
    for (int i = 0; i < 16; ++i) {
      if (i) out += ',';
      bool flag = i == 10 || i == 12;
      std::string v = flag ? (s.i64(i) ? "true" : "false") : i >= 14 ? iso(s.i64(i)) : s.text(i);
      csv_cell(out, v);
    }
    out += "\r\n";
  }
  res.status = 200;
  res.body = std::move(out);
  res.type = "text/csv; charset=utf-8";
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"devices.csv\"");
}

namespace {

const char* kAlertCols =
    "a.id, a.rule, json_extract(a.json, '$.name'), a.severity, a.src_ip, a.dest_ip, a.protocol, a.first_ns, a.last_ns, "
    "a.count, coalesce(t.state, 'new'), coalesce(t.note, ''), coalesce(t.by_user, ''), coalesce(t.at, ''), "
    "coalesce(json_extract(a.json, '$.src.device'), ''), coalesce(json_extract(a.json, '$.dest.device'), '')";

void write_alert_row(JsonWriter& w, const Stmt& s) {
  static const char* names[] = {"id", "rule", "name", "severity", "src_ip", "dest_ip", "protocol"};
  for (int i = 0; i < 7; ++i) w.kv(names[i], s.text(i));
  w.kv("first", iso(s.i64(7))).kv("last", iso(s.i64(8))).kv("count", s.i64(9));
  w.key("triage").begin_object().kv("state", s.text(10)).kv("note", s.text(11)).kv("by", s.text(12)).kv("at", s.text(13));
  w.end_object();
  w.kv("src_device", s.text(14)).kv("dest_device", s.text(15));
}

bool alert_where(const Req& req, Where& wh, Resp& res) {
  std::string sev, rule, state, ip;
  if (!filter(req, "severity", sev) || !filter(req, "rule", rule) || !filter(req, "state", state) || !filter(req, "ip", ip)) {
    res.error(400, "filter too long");
    return false;
  }
  static const char* kSev[] = {"info", "low", "medium", "high", "critical"};
  for (int i = 1; i < 5; ++i) {
    if (sev == kSev[i]) wh.add("a.severity_rank >= " + std::to_string(i));
  }
  if (!rule.empty()) {
    wh.add("a.rule = ?");
    wh.binds.push_back(rule);
  }
  if (!ip.empty()) {
    wh.add("(a.src_ip = ? OR a.dest_ip = ?)");
    wh.binds.push_back(ip);
    wh.binds.push_back(ip);
  }
  if (state == "new") {
    wh.add("coalesce(t.state, 'new') = 'new'");
  } else if (state == "acknowledged" || state == "resolved" || state == "false_positive") {
    wh.add("t.state = '" + state + "'");  // one of the three names above, never request text
  } else if (!state.empty()) {
    res.error(400, "state: new, acknowledged, resolved or false_positive");
    return false;
  }
  return true;
}

}  // namespace

void api_alerts(Context& ctx, const Req& req, Resp& res) {
  Where wh;
  if (!alert_where(req, wh, res)) return;
  std::string order = req.param("sort") == "time" ? "a.last_ns DESC, a.id" : "a.severity_rank DESC, a.last_ns DESC, a.id";
  int64_t limit = num_param(req, "limit", kDefaultLimit, 1, kMaxLimit), offset = num_param(req, "offset", 0, 0, kMaxOffset);
  const std::string from = " FROM alerts a LEFT JOIN alert_triage t ON t.alert_id = a.id";
  ReadDb db(ctx.db_path);
  std::string b;
  JsonWriter w(b);
  w.begin_object();
  {
    // Counted up to kCountCap: a million alerts are not counted per page.
    Stmt s(db.handle(), "SELECT count(*) FROM (SELECT 1" + from + wh.sql + " LIMIT " + std::to_string(kCountCap + 1) + ")");
    wh.bind_all(s);
    s.step();
    int64_t n = s.i64(0);
    w.kv("total", n > kCountCap ? kCountCap : n).kv("total_capped", n > kCountCap);
  }
  w.kv("limit", limit).kv("offset", offset).key("alerts").begin_array();
  Stmt s(db.handle(), std::string("SELECT ") + kAlertCols + from + wh.sql + " ORDER BY " + order + " LIMIT " +
                          std::to_string(limit) + " OFFSET " + std::to_string(offset));
  wh.bind_all(s);
  while (s.step()) {
    w.begin_object();
    write_alert_row(w, s);
    w.end_object();
  }
  w.end_array().end_object();
  send(res, b);
}

namespace {

// What the device's own traffic said, attribute by attribute, over every
// capture (the observations behind the record: a title, a banner, an AE
// title), at most kMaxObservations rows.
void write_observations(JsonWriter& w, sqlite3* db, const std::string& id, const std::vector<std::string>& addr) {
  constexpr int kMaxObservations = 500;
  std::string in = "?";
  for (size_t i = 0; i < addr.size(); ++i) in += ",?";
  Stmt s(db, "SELECT attr, value, source, max(confidence), min(first_ns), max(last_ns), sum(count) FROM observations "
             "WHERE device IN (" + in + ") GROUP BY attr, value, source ORDER BY attr, value LIMIT " +
             std::to_string(kMaxObservations));
  s.bind(id);
  for (const auto& a : addr) s.bind("ip:" + a);
  w.key("observations").begin_array();
  while (s.step()) {
    w.begin_object().kv("attr", s.text(0)).kv("value", s.text(1)).kv("source", s.text(2));
    w.kv("confidence", sqlite3_column_double(s.get(), 3)).kv("first_seen", iso(s.i64(4))).kv("last_seen", iso(s.i64(5)));
    w.kv("count", s.i64(6)).end_object();
  }
  w.end_array();
}

}  // namespace

void api_device(Context& ctx, const Req& req, Resp& res) {
  ReadDb db(ctx.db_path);
  std::string b;
  JsonWriter w(b);
  std::string ips;
  {
    Stmt s(db.handle(), std::string("SELECT ") + kDeviceCols + ", record FROM devices WHERE id = ?");
    s.bind(req.args[0]);
    if (!s.step()) return res.error(404, "no such device");
    w.begin_object().key("device").begin_object();
    write_device_row(w, s);
    w.end_object();
    // The derived record: identity with the evidence of each conclusion,
    // addresses, services, peers, patient data handled, exposure.
    w.key("record").raw(s.text(16));
    ips = s.text(3);
  }
  // The alerts about its addresses (at most 16 addresses, 100 alerts).
  std::vector<std::string> addr;
  for (size_t i = 0; i < ips.size() && addr.size() < 16;) {
    size_t j = ips.find(' ', i);
    if (j == std::string::npos) j = ips.size();
    if (j > i) addr.push_back(ips.substr(i, j - i));
    i = j + 1;
  }
  w.key("alerts").begin_array();
  if (!addr.empty()) {
    std::string in;
    for (size_t i = 0; i < addr.size(); ++i) in += i ? ",?" : "?";
    Stmt s(db.handle(), std::string("SELECT ") + kAlertCols + " FROM alerts a LEFT JOIN alert_triage t ON t.alert_id = a.id " +
                            "WHERE a.id IN (SELECT id FROM alerts WHERE src_ip IN (" + in + ") UNION SELECT id FROM alerts " +
                            "WHERE dest_ip IN (" + in + ")) ORDER BY a.severity_rank DESC, a.last_ns DESC LIMIT 100");
    for (int k = 0; k < 2; ++k) {
      for (const auto& a : addr) s.bind(a);
    }
    while (s.step()) {
      w.begin_object();
      write_alert_row(w, s);
      w.end_object();
    }
  }
  w.end_array();
  write_observations(w, db.handle(), req.args[0], addr);
  w.end_object();
  send(res, b);
}

void api_alert(Context& ctx, const Req& req, Resp& res) {
  ReadDb db(ctx.db_path);
  std::string b;
  JsonWriter w(b);
  {
    Stmt s(db.handle(), std::string("SELECT ") + kAlertCols + ", a.json FROM alerts a LEFT JOIN alert_triage t ON t.alert_id = a.id WHERE a.id = ?");
    s.bind(req.args[0]);
    if (!s.step()) return res.error(404, "no such alert");
    w.begin_object().key("alert").begin_object();
    write_alert_row(w, s);
    w.end_object().key("record").raw(s.text(16));
  }
  w.key("history").begin_array();
  Stmt s(db.handle(), "SELECT state, note, by_user, at FROM alert_triage_log WHERE alert_id = ? ORDER BY rowid DESC LIMIT 50");
  s.bind(req.args[0]);
  while (s.step()) w.begin_object().kv("state", s.text(0)).kv("note", s.text(1)).kv("by", s.text(2)).kv("at", s.text(3)).end_object();
  w.end_array().end_object();
  send(res, b);
}

// Which systems send patient data to which in clear (the phi_cleartext
// alerts, by pair and protocol), and which devices handle patient data (the
// record's phi), 500 of each at most.
void api_phi_flows(Context& ctx, const Req&, Resp& res) {
  ReadDb db(ctx.db_path);
  std::string b;
  JsonWriter w(b);
  w.begin_object().key("cleartext_flows").begin_array();
  {
    Stmt s(db.handle(),
           "SELECT src_ip, dest_ip, protocol, count(*), sum(count), min(first_ns), max(last_ns), "
           "coalesce(max(json_extract(json, '$.src.device')), ''), coalesce(max(json_extract(json, '$.dest.device')), '') "
           "FROM alerts WHERE rule = 'phi_cleartext' GROUP BY src_ip, dest_ip, protocol ORDER BY 5 DESC, 1, 2 LIMIT 500");
    while (s.step()) {
      w.begin_object().kv("src_ip", s.text(0)).kv("dest_ip", s.text(1)).kv("protocol", s.text(2)).kv("alerts", s.i64(3));
      w.kv("count", s.i64(4)).kv("first", iso(s.i64(5))).kv("last", iso(s.i64(6))).kv("src_device", s.text(7));
      w.kv("dest_device", s.text(8)).end_object();
    }
  }
  w.end_array().key("devices").begin_array();
  {
    Stmt s(db.handle(),
           "SELECT id, ip, type, medical, coalesce(json_extract(record, '$.phi.protocols'), '[]') FROM devices "
           "WHERE json_extract(record, '$.phi.handles') = 1 ORDER BY type, id LIMIT 500");
    while (s.step()) {
      w.begin_object().kv("id", s.text(0)).kv("ip", s.text(1)).kv("type", s.text(2)).kv("medical", s.i64(3) != 0);
      w.key("protocols").raw(s.text(4)).end_object();
    }
  }
  w.end_array().end_object();
  send(res, b);
}

void api_login(Context& ctx, const Req& req, Resp& res) {
  JsonValue v;
  if (parse_json(req.body, v) != nullptr || v.type != JsonValue::kObject) return res.error(400, "expected {\"user\", \"password\"}");
  std::string user(json_str(&v, "user")), pw(json_str(&v, "password"));
  if (!valid_user_name(user) || pw.empty() || pw.size() > 1024) return res.error(400, "expected {\"user\", \"password\"}");
  if (int wait = ctx.throttle.blocked(req.remote, user)) {
    res.headers.emplace_back("Retry-After", std::to_string(wait));
    audit(ctx, user, req.remote, "login_throttled", "");
    return res.error(429, "too many failed logins; try again later");
  }
  auto u = ctx.users.verify(user, pw);
  if (!u) {
    ctx.throttle.failure(req.remote, user);
    audit(ctx, user, req.remote, "login_failed", "");
    return res.error(401, "wrong user name or password");
  }
  ctx.throttle.success(user);
  std::string token = ctx.sessions.create(*u);
  res.headers.emplace_back("Set-Cookie", "ms_session=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200" +
                                            (ctx.tls ? "; Secure" : ""));
  audit(ctx, user, req.remote, "login", role_name(u->role));
  std::string b;
  JsonWriter w(b);
  w.begin_object().kv("user", u->name).kv("role", role_name(u->role)).end_object();
  send(res, b);
}

void api_logout(Context& ctx, const Req& req, Resp& res) {
  ctx.sessions.erase(req.cookie_token);
  audit(ctx, req.session.user, req.remote, "logout", "");
  res.headers.emplace_back("Set-Cookie", "ms_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  std::string b = "{\"ok\":true}";
  send(res, b);
}

}  // namespace ms::console
