// Pages and static files (routes.h). A page is a shell (static/page.html)
// with the user, role, CSRF token and page name filled in, each
// HTML-escaped; app.js then fetches the API and builds the page with
// textContent only. Static files come from the compiled-in set (assets.h).
#include <cstring>
#include <string>

#include "console/assets.h"
#include "console/routes.h"

namespace ms::console {

const Asset* find_asset(const char* name) {
  for (size_t i = 0; i < kAssetCount; ++i) {
    if (std::strcmp(kAssets[i].name, name) == 0) return &kAssets[i];
  }
  return nullptr;
}

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
}

void html(Resp& res, std::string body) {
  res.status = 200;
  res.body = std::move(body);
  res.type = "text/html; charset=utf-8";
}

}  // namespace

void page_shell(Context&, const Req& req, Resp& res) {
  const Asset* a = find_asset("page.html");
  std::string page = req.path == "/" ? "overview" : req.path.rfind("/devices/", 0) == 0 ? "device"
                     : req.path.rfind("/alerts/", 0) == 0                              ? "alert"
                                                                                       : req.path.substr(1);
  std::string body = a->data;
  // The values the server writes into HTML: escaped, always.
  replace_all(body, "{{page}}", html_escape(page));
  replace_all(body, "{{user}}", html_escape(req.session.user));
  replace_all(body, "{{role}}", html_escape(role_name(req.session.role)));
  replace_all(body, "{{csrf}}", html_escape(req.session.csrf));
  html(res, std::move(body));
}

// The API described in OpenAPI 3.1 (static/openapi.json), checked against
// the answers by tests/integration/test_console.py.
void api_openapi(Context&, const Req&, Resp& res) { res.json(200, find_asset("openapi.json")->data); }

void page_login(Context&, const Req&, Resp& res) { html(res, find_asset("login.html")->data); }

void static_file(Context&, const Req& req, Resp& res) {
  const Asset* a = req.args[0].find('\0') == std::string::npos ? find_asset(req.args[0].c_str()) : nullptr;
  // The shells are pages and the API's description is the API's: each only
  // through its own route.
  if (!a || std::strstr(a->name, ".html") || std::strstr(a->name, ".json")) return res.error(404, "no such file");
  res.status = 200;
  res.body = a->data;
  res.type = a->type;
  res.headers.emplace_back("Cache-Control", "no-cache");
}

}  // namespace ms::console
