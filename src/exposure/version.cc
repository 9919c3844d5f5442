// Version comparison and the reading of advisory version texts (version.h).
// The vers containment rules follow VERSION-RANGE-SPEC.rst ("Checking if a
// version is contained within a range"); CISA's free text is rewritten into
// the same constraints first.
#include "exposure/version.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace ms::exposure {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = lower(c);
  return o;
}
std::string trim(std::string_view s) {
  size_t a = 0, e = s.size();
  while (a < e && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (e > a && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(a, e - a));
}

struct Seg {
  bool num = false, wild = false;
  uint64_t n = 0;
  std::string s;
};

constexpr size_t kMaxSegments = 32;

// Splits at separators and at digit/letter changes; `family` gets a leading
// word glued to digits ("BT" of "BT06", "U" of "U61").
std::vector<Seg> segments(std::string_view v, std::string* family) {
  std::vector<Seg> out;
  size_t i = 0;
  while (i < v.size() && out.size() < kMaxSegments) {
    char c = v[i];
    if (c == '*') {
      out.push_back({false, true, 0, "*"});
      ++i;
      continue;
    }
    if (!is_alnum(c)) {
      ++i;
      continue;
    }
    size_t j = i;
    bool num = is_digit(c);
    while (j < v.size() && is_alnum(v[j]) && is_digit(v[j]) == num) ++j;
    Seg s;
    s.num = num;
    if (num) {
      // Leading zeros do not count; more than 18 digits compare as text.
      std::string_view d = v.substr(i, j - i);
      while (d.size() > 1 && d[0] == '0') d.remove_prefix(1);
      if (d.size() <= 18) {
        for (char x : d) s.n = s.n * 10 + static_cast<uint64_t>(x - '0');
      } else {
        s.num = false;
        s.s = std::string(d);
      }
    } else {
      s.s = lower(v.substr(i, j - i));
      s.wild = s.s == "x" && (j >= v.size() || !is_digit(v[j]));
      if (family && out.empty() && j < v.size() && is_digit(v[j])) *family = s.s;
    }
    out.push_back(std::move(s));
    i = j;
  }
  return out;
}

bool all_zero(const std::vector<Seg>& v, size_t from) {
  for (size_t i = from; i < v.size(); ++i) {
    if (!(v[i].num && v[i].n == 0)) return false;
  }
  return true;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  std::string fa, fb;
  std::vector<Seg> x = segments(a, &fa), y = segments(b, &fb);
  if (!fa.empty() && !fb.empty() && fa != fb) return kIncomparable;
  for (size_t i = 0;; ++i) {
    if (i < y.size() && y[i].wild) return 0;
    if (i < x.size() && x[i].wild) return 0;
    if (i >= x.size() && i >= y.size()) return 0;
    if (i >= y.size()) return all_zero(x, i) ? 0 : 1;
    if (i >= x.size()) return all_zero(y, i) ? 0 : -1;
    const Seg &p = x[i], &q = y[i];
    if (p.num && q.num) {
      if (p.n != q.n) return p.n < q.n ? -1 : 1;
    } else if (p.num != q.num) {
      return p.num ? 1 : -1;  // 1.0.1 is after 1.0.beta
    } else if (p.s != q.s) {
      return p.s < q.s ? -1 : 1;
    }
  }
}

namespace {

bool satisfies(std::string_view v, const Constraint& c) {
  int r = compare_versions(v, c.version);
  if (r == kIncomparable) return false;
  switch (c.op) {
    case Constraint::kEq: return r == 0;
    case Constraint::kNe: return r != 0;
    case Constraint::kLt: return r < 0;
    case Constraint::kLe: return r <= 0;
    case Constraint::kLePrefix: return r <= 0 || compare_versions(v, c.version + ".*") == 0;
    case Constraint::kGt: return r > 0;
    case Constraint::kGe: return r >= 0;
  }
  return false;
}

bool is_lower(Constraint::Op o) { return o == Constraint::kGt || o == Constraint::kGe; }
bool is_upper(Constraint::Op o) { return o == Constraint::kLt || o == Constraint::kLe || o == Constraint::kLePrefix; }

}  // namespace

bool contains(const std::vector<Constraint>& cs, std::string_view version) {
  if (version.empty()) return false;
  std::vector<const Constraint*> bounds;
  for (const Constraint& c : cs) {
    if (c.op == Constraint::kEq && satisfies(version, c)) return true;
    if (c.op == Constraint::kNe && !satisfies(version, c)) return false;
    if (is_lower(c.op) || is_upper(c.op)) bounds.push_back(&c);
  }
  // Insertion sort by version (few bounds; incomparable ones keep their order).
  for (size_t i = 1; i < bounds.size(); ++i) {
    for (size_t j = i; j > 0 && compare_versions(bounds[j]->version, bounds[j - 1]->version) == -1; --j)
      std::swap(bounds[j], bounds[j - 1]);
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    const Constraint& b = *bounds[i];
    if (is_upper(b.op)) {
      const Constraint* lo = i > 0 && is_lower(bounds[i - 1]->op) ? bounds[i - 1] : nullptr;
      if (satisfies(version, b) && (!lo || satisfies(version, *lo))) return true;
    } else if (i + 1 == bounds.size() || is_lower(bounds[i + 1]->op)) {
      if (satisfies(version, b)) return true;
    }
  }
  // Only != constraints: everything else is in.
  return !cs.empty() && bounds.empty() &&
         std::all_of(cs.begin(), cs.end(), [](const Constraint& c) { return c.op == Constraint::kNe; });
}

std::string normalize_version(std::string_view text) {
  static const std::regex prefix(R"(^\s*(?:(?:firmware|software|version|release|revision|rev\.?|ver\.?|fw|sw)\s*:?\s*)+)",
                                 std::regex::icase);
  std::string t = std::regex_replace(trim(text.substr(0, 256)), prefix, "");
  // A 'v' or 'V' glued to the first digit is not part of the version.
  if (t.size() > 1 && (t[0] == 'v' || t[0] == 'V') && is_digit(t[1])) t.erase(0, 1);
  size_t sp = t.find_first_of(" \t(,;");
  return sp == std::string::npos ? t : t.substr(0, sp);
}

const char* kind_name(VersionSpec::Kind k) {
  switch (k) {
    case VersionSpec::kAll: return "all";
    case VersionSpec::kRange: return "range";
    case VersionSpec::kModels: return "models";
    case VersionSpec::kCondition: return "condition";
    case VersionSpec::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string describe(const VersionSpec& s) {
  static const char* ops[] = {"=", "!=", "<", "<=", ">", ">=", "<=*"};
  std::string o = kind_name(s.kind);
  for (const Constraint& c : s.constraints) o += std::string(" ") + ops[c.op] + c.version;
  for (const std::string& m : s.models) o += " model:" + m;
  if (!s.note.empty()) o += " (" + s.note + ")";
  return o;
}

}  // namespace ms::exposure
