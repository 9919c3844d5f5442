// EPSS CSV reading (epss.h).
#include "exposure/epss.h"

#include <cstdlib>

namespace ms::exposure {

namespace {

std::string_view next_line(std::string_view& text) {
  size_t e = text.find('\n');
  std::string_view line = text.substr(0, e);
  text = e == std::string_view::npos ? std::string_view() : text.substr(e + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// A probability in [0, 1] written as a decimal.
bool unit(std::string_view s, double& out) {
  if (s.empty() || s.size() > 24) return false;
  std::string t(s);
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && out >= 0 && out <= 1;
}

void read_model(std::string_view line, EpssTable& out) {
  line.remove_prefix(1);
  while (!line.empty()) {
    size_t comma = line.find(',');
    std::string_view kv = line.substr(0, comma);
    size_t colon = kv.find(':');
    if (colon != std::string_view::npos) {
      std::string_view k = kv.substr(0, colon), v = kv.substr(colon + 1, 64);
      if (k == "model_version") out.model = std::string(v);
      if (k == "score_date") out.score_date = std::string(v);
    }
    line = comma == std::string_view::npos ? std::string_view() : line.substr(comma + 1);
  }
}

}  // namespace

const char* parse_epss(std::string_view text, EpssTable& out) {
  out = EpssTable{};
  if (text.size() > kEpssMaxBytes) return "epss.too_large";
  std::string_view line = next_line(text);
  if (line.rfind("#model_version:", 0) == 0) {
    read_model(line, out);
    line = next_line(text);
  }
  if (line != "cve,epss,percentile") return "epss.no_header";
  while (!text.empty() && out.by_cve.size() < kEpssMaxRows) {
    line = next_line(text);
    size_t a = line.find(','), b = a == std::string_view::npos ? a : line.find(',', a + 1);
    if (b == std::string_view::npos) continue;
    std::string_view cve = line.substr(0, a);
    EpssScore s;
    if (cve.rfind("CVE-", 0) != 0 || cve.size() > 32 || !unit(line.substr(a + 1, b - a - 1), s.probability) ||
        !unit(line.substr(b + 1), s.percentile))
      continue;
    out.by_cve[std::string(cve)] = s;
  }
  return nullptr;
}

}  // namespace ms::exposure
