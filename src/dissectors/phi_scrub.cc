#include "dissectors/phi_scrub.h"

namespace ms {

namespace {

bool alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool letter(char c) { return alnum(c) && !digit(c); }

// [0-9]+(.[0-9]+){2,}
bool dotted_numeric(std::string_view t) {
  int dots = 0;
  bool prev_digit = false;
  for (char c : t) {
    if (digit(c)) {
      prev_digit = true;
    } else if (c == '.' && prev_digit) {
      ++dots;
      prev_digit = false;
    } else {
      return false;
    }
  }
  return prev_digit && dots >= 2;
}

}  // namespace

bool identifier_like(std::string_view r) {
  size_t i = 0, n = r.size();
  size_t lead = 0;
  while (i < n && letter(r[i]) && lead < 5) ++i, ++lead;
  if (lead > 4) return false;
  size_t digits = 0;
  while (i < n && digit(r[i])) ++i, ++digits;
  size_t trail = 0;
  while (i < n && letter(r[i])) ++i, ++trail;
  return i == n && digits >= 5 && trail <= 2;
}

std::string scrub_identifiers(std::string_view s, const AppContext& ctx) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!alnum(s[i])) {
      out += s[i++];
      continue;
    }
    // The token around this run (alphanumerics and dots): a UID or an address stays.
    size_t te = i;
    while (te < s.size() && (alnum(s[te]) || s[te] == '.')) ++te;
    std::string_view token = s.substr(i, te - i);
    if (dotted_numeric(token)) {
      out.append(token);
      i = te;
      continue;
    }
    size_t re = i;
    while (re < s.size() && alnum(s[re])) ++re;
    std::string_view run = s.substr(i, re - i);
    if (identifier_like(run)) out += ctx.phi("id", run);
    else out.append(run);
    i = re;
  }
  return out;
}

}  // namespace ms
