// Fuzz target for the console's own parsers (src/console/): an accounts file
// line, the route matcher on a request path, and the escaping of text for
// HTML and of JSON for pages, whose output must hold no < > & at all.
//
// fuzz-replay: tests/fuzz/regressions_console/
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/json_writer.h"
#include "console/auth.h"
#include "console/routes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ms::console::User u;
  if (ms::console::parse_user_line(in, u) && (u.hash.size() != 32 || u.role == ms::console::Role::kNone)) std::abort();
  std::vector<std::string> args;
  bool known = false;
  for (const char* method : {"GET", "POST"}) {
    const ms::console::Route* r = ms::console::match(method, std::string(in), args, known);
    if (r && std::string_view(r->method) != method) std::abort();
  }
  std::string esc = ms::console::html_escape(in);
  if (esc.find_first_of("<>\"'") != std::string::npos) std::abort();
  std::string js;
  ms::JsonWriter w(js);
  w.begin_object().kv("v", in).key("a").begin_array().value(in).end_array().end_object();
  ms::console::json_html_safe(js);
  if (js.find_first_of("<>&") != std::string::npos) std::abort();
  return 0;
}
