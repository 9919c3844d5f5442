// The route table and its matcher (routes.h).
#include "console/routes.h"

#include "common/json_writer.h"

namespace ms::console {

const std::vector<Route>& routes() {
  static const std::vector<Route> r = {
      {"GET", "/login", Kind::kPublicPage, Role::kNone, page_login},
      {"GET", "/static/{file}", Kind::kStatic, Role::kNone, static_file},
      {"POST", "/api/login", Kind::kPublicApi, Role::kNone, api_login},
      {"GET", "/", Kind::kPage, Role::kViewer, page_shell},
      {"GET", "/devices", Kind::kPage, Role::kViewer, page_shell},
      {"GET", "/devices/{id}", Kind::kPage, Role::kViewer, page_shell},
      {"GET", "/alerts", Kind::kPage, Role::kViewer, page_shell},
      {"GET", "/alerts/{id}", Kind::kPage, Role::kViewer, page_shell},
      {"GET", "/phi", Kind::kPage, Role::kViewer, page_shell},
      {"POST", "/api/logout", Kind::kApi, Role::kViewer, api_logout},
      {"GET", "/api/session", Kind::kApi, Role::kViewer, api_session},
      {"GET", "/api/openapi.json", Kind::kApi, Role::kViewer, api_openapi},
      {"GET", "/api/overview", Kind::kApi, Role::kViewer, api_overview},
      {"GET", "/api/events", Kind::kApi, Role::kViewer, api_events},
      {"GET", "/api/devices", Kind::kApi, Role::kViewer, api_devices},
      {"GET", "/api/devices.csv", Kind::kApi, Role::kViewer, api_devices_csv},
      {"GET", "/api/devices/{id}", Kind::kApi, Role::kViewer, api_device},
      {"GET", "/api/alerts", Kind::kApi, Role::kViewer, api_alerts},
      {"GET", "/api/phi-flows", Kind::kApi, Role::kViewer, api_phi_flows},
      {"GET", "/api/alerts/{id}", Kind::kApi, Role::kViewer, api_alert},
      {"POST", "/api/alerts/{id}/triage", Kind::kApi, Role::kAnalyst, api_triage},
      // The packets may carry patient data in clear: analysts only.
      {"GET", "/api/alerts/{id}/evidence.pcap", Kind::kApi, Role::kAnalyst, api_evidence},
      // The HIPAA report names every weak device, its flaws and where the
      // vendor-default passwords work: a target list, so analysts only.
      {"GET", "/api/report.html", Kind::kApi, Role::kAnalyst, api_report_html},
      {"GET", "/api/report.pdf", Kind::kApi, Role::kAnalyst, api_report_pdf},
      {"GET", "/api/audit", Kind::kApi, Role::kAdmin, api_audit},
  };
  return r;
}

namespace {

std::vector<std::string_view> segments(std::string_view p) {
  std::vector<std::string_view> s;
  size_t i = 1;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    s.push_back(p.substr(i, j - i));
    i = j + 1;
    if (s.size() > 16) break;
  }
  return s;
}

bool matches(std::string_view pattern, std::string_view path, std::vector<std::string>& args) {
  auto ps = segments(pattern), xs = segments(path);
  if (ps.size() != xs.size()) return false;
  std::vector<std::string> got;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].size() > 2 && ps[i].front() == '{') {
      if (xs[i].empty()) return false;
      got.emplace_back(xs[i]);
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  args = std::move(got);
  return true;
}

}  // namespace

const Route* match(const std::string& method, const std::string& path, std::vector<std::string>& args, bool& path_known) {
  path_known = false;
  if (path.empty() || path[0] != '/' || path.size() > 2048) return nullptr;
  for (const Route& r : routes()) {
    std::vector<std::string> a;
    if (!matches(r.pattern, path, a)) continue;
    if (method == r.method) {
      args = std::move(a);
      return &r;
    }
    path_known = true;
  }
  return nullptr;
}

void Resp::error(int st, const std::string& msg) {
  std::string b;
  JsonWriter w(b);
  w.begin_object().kv("error", msg).end_object();
  json_html_safe(b);
  json(st, std::move(b));
}

std::string html_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

void json_html_safe(std::string& json) {
  // Outside strings JSON has none of these characters, so every one found is
  // inside a string, where \u escapes mean the same text.
  std::string o;
  o.reserve(json.size());
  for (char c : json) {
    if (c == '<') o += "\\u003c";
    else if (c == '>') o += "\\u003e";
    else if (c == '&') o += "\\u0026";
    else o += c;
  }
  json.swap(o);
}

void print_routes() {
  for (const Route& r : routes()) {
    static const char* kinds[] = {"page", "api", "static", "public_page", "public_api"};
    std::string b;
    JsonWriter w(b);
    w.begin_object().kv("method", r.method).kv("path", r.pattern).kv("kind", kinds[static_cast<int>(r.kind)]);
    w.kv("role", role_name(r.role)).kv("csrf", std::string(r.method) == "POST" && r.kind == Kind::kApi).end_object();
    std::printf("%s\n", b.c_str());
  }
}

}  // namespace ms::console
