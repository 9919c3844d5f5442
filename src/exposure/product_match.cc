// Product-name and vendor matching (product_match.h).
#include "exposure/product_match.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

#include "common/csv.h"
#include "inventory/knowledge.h"

namespace ms {
extern const char kVendorSuccessorsCsv[];
}

namespace ms::exposure {

namespace {

constexpr size_t kMaxTokens = 256;

bool alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool has_digit(std::string_view s) { return std::any_of(s.begin(), s.end(), digit); }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), digit); }
std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
// Letters and digits only: "MMT-554" -> "mmt554".
std::string squash(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return o;
}

struct Range {
  std::string prefix;
  unsigned long lo = 0, hi = 0;
};
struct Tokens {
  std::set<std::string> words;
  std::vector<Range> ranges;
  bool has(const std::string& t) const {
    if (words.count(t)) return true;
    size_t i = 0;
    while (i < t.size() && alpha(t[i])) ++i;
    if (i == t.size() || !all_digits(std::string_view(t).substr(i)) || t.size() - i > 9) return false;
    unsigned long n = std::stoul(t.substr(i));
    return std::any_of(ranges.begin(), ranges.end(),
                       [&](const Range& r) { return r.prefix == t.substr(0, i) && n >= r.lo && n <= r.hi; });
  }
};

// Words of a name: letters glued to digits stay one word ("MX800"), a
// hyphen between letters and digits joins them ("MMT-554" -> mmt554);
// "MX700/800" adds mx800, "MX400-550" the range mx400..mx550.
Tokens tokenize(std::string_view name) {
  Tokens t;
  std::string s = lower(name.substr(0, 1024));
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '-' && alpha(s[i - 1]) && digit(s[i + 1])) s.erase(i, 1);
  }
  std::string prev;
  char sep = ' ';
  size_t i = 0;
  while (i < s.size() && t.words.size() < kMaxTokens) {
    if (!std::isalnum(static_cast<unsigned char>(s[i]))) {
      sep = s[i++];
      continue;
    }
    size_t j = i;
    while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
    std::string w = s.substr(i, j - i);
    if (w.rfind("including", 0) == 0 && w.size() > 9) w = w.substr(9);  // "(includingMP2/..."
    size_t k = 0;
    while (k < prev.size() && alpha(prev[k])) ++k;
    bool prev_model = k > 0 && k < prev.size() && all_digits(std::string_view(prev).substr(k));
    // "MX400-MX850": the same letters on both sides of a dash.
    bool same_prefix = prev_model && sep == '-' && w.size() > k && w.compare(0, k, prev, 0, k) == 0 &&
                       all_digits(std::string_view(w).substr(k));
    if (same_prefix && w.size() - k <= 9 && prev.size() - k <= 9) {
      t.words.insert(w);
      t.ranges.push_back({prev.substr(0, k), std::stoul(prev.substr(k)), std::stoul(w.substr(k))});
    } else if (all_digits(w) && prev_model && (sep == '/' || sep == '-') && w.size() <= 9 && prev.size() - k <= 9) {
      if (sep == '/') t.words.insert(prev.substr(0, k) + w);
      else t.ranges.push_back({prev.substr(0, k), std::stoul(prev.substr(k)), std::stoul(w)});
    } else {
      t.words.insert(w);
    }
    prev = w;
    sep = ' ';
    i = j;
  }
  return t;
}

bool stopword(const std::string& w) {
  static const std::set<std::string> s = {"the", "and", "of", "for", "with", "series", "system", "systems", "by", "inc"};
  return s.count(w) > 0;
}

// Levenshtein distance of at most one ("Phillips" for "Philips").
bool one_edit(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) return a.substr(i + (i < a.size())) == b.substr(i + (i < b.size()));
  return a.substr(i) == b.substr(i + 1);
}

std::string first_word(std::string_view s) {
  std::string l = lower(s);
  size_t e = l.find_first_of(" ,(");
  return l.substr(0, e);
}

// "Hillrom and ELI, Baxter International Inc." -> each maker; "General
// Electric (GE)" -> also "GE".
std::vector<std::string> vendor_alternatives(std::string_view v) {
  std::vector<std::string> out{std::string(v)};
  std::string s(v.substr(0, 256));
  size_t open = s.find('('), close = s.find(')');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    out.push_back(s.substr(open + 1, close - open - 1));
    s.erase(open, close - open + 1);
    out.push_back(s);
  }
  std::string cur;
  for (size_t i = 0; i <= s.size(); ++i) {
    bool cut = i == s.size() || s[i] == ',' || lower(s.substr(i, 5)) == " and ";
    if (!cut) {
      cur += s[i];
      continue;
    }
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
    if (i < s.size() && s[i] == ' ') i += 4;
  }
  return out;
}

// canonical_vendor runs the alias regexes: a device's and an advisory's
// names repeat across every entry, so their answers are kept (a bounded
// table, emptied when full).
std::string canonical(std::string_view name) {
  thread_local std::unordered_map<std::string, std::string> cache;
  std::string key(name.substr(0, 256));
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 4096) cache.clear();
  std::string v = inv::canonical_vendor(key);
  cache.emplace(std::move(key), v);
  return v;
}

// data/vendor_successors.csv: (successor, predecessor) pairs, canonical.
bool successor_pair(const std::string& a, const std::string& b) {
  static const std::set<std::pair<std::string, std::string>> pairs = [] {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& r : parse_csv(kVendorSuccessorsCsv, "data/vendor_successors.csv")) {
      if (r.size() >= 2 && r[0] != "successor") out.insert({inv::canonical_vendor(r[0]), inv::canonical_vendor(r[1])});
    }
    return out;
  }();
  return pairs.count({a, b}) > 0 || pairs.count({b, a}) > 0;
}

}  // namespace

bool vendor_matches(std::string_view advisory_vendor, std::string_view device_vendor) {
  // Names are short; the alias regexes need not see more.
  advisory_vendor = advisory_vendor.substr(0, 256);
  std::string dv = canonical(device_vendor);
  if (dv.empty()) return false;
  std::string dl = lower(dv), df = first_word(dv);
  for (const std::string& alt : vendor_alternatives(advisory_vendor)) {
    std::string av = canonical(alt);
    if (av.empty()) continue;
    std::string al = lower(av), af = first_word(av);
    if (al == dl || (af.size() >= 2 && af == df) || successor_pair(av, dv)) return true;
    if (al.size() >= 6 && dl.size() >= 6 && one_edit(al, dl)) return true;
  }
  return false;
}

std::vector<std::string> product_tokens(std::string_view name) {
  Tokens t = tokenize(name);
  std::vector<std::string> out(t.words.begin(), t.words.end());
  for (const Range& r : t.ranges) out.push_back(r.prefix + std::to_string(r.lo) + ".." + r.prefix + std::to_string(r.hi));
  return out;
}

namespace {

// The entry restricts to model numbers (its helper or its version text):
// one must be in the device's model.
bool model_number_in(const std::vector<std::string>& models, const DeviceIdentity& d, std::string& which) {
  std::string dm = squash(d.model);
  Tokens dt = tokenize(d.model);
  for (const std::string& m : models) {
    std::string sm = squash(m);
    if (sm.empty()) continue;
    bool hit = all_digits(sm) ? dt.words.count(sm) > 0 : dm.find(sm) != std::string::npos;
    if (hit) {
      which = m;
      return true;
    }
  }
  return false;
}

}  // namespace

ProductMatch match_product(const CsafProduct& p, const VersionSpec& spec, const DeviceIdentity& d) {
  ProductMatch r;
  if (d.model.empty()) return r;
  if (!vendor_matches(p.vendor, d.manufacturer.empty() ? d.mac_vendor : d.manufacturer)) return r;
  std::vector<std::string> models = p.models;
  models.insert(models.end(), spec.models.begin(), spec.models.end());
  std::string which;
  if (!models.empty()) {
    if (!model_number_in(models, d, which)) return r;
    r = {true, 0.9, 1.0, "model number " + which};
  }
  Tokens pt = tokenize(p.product + " " + p.family + " " + p.name);
  Tokens vt = tokenize(p.vendor + " " + d.manufacturer + " " + canonical(d.manufacturer));
  std::vector<std::string> digits, words, shared;
  Tokens dt = tokenize(d.model);
  for (const std::string& w : dt.words) {
    if (stopword(w) || vt.words.count(w)) continue;
    (has_digit(w) ? digits : words).push_back(w);
    if (pt.has(w)) shared.push_back(w);
  }
  bool digits_in = std::all_of(digits.begin(), digits.end(), [&](const std::string& w) { return pt.has(w); });
  bool name_match = !digits.empty() ? digits_in && (words.empty() || shared.size() > digits.size())
                                    : !words.empty() && shared.size() == words.size();
  if (r.matched) {
    // A model number matched; the name need only not contradict it.
    if (!digits.empty() && !digits_in && shared.empty()) return ProductMatch{};
    return r;
  }
  if (!name_match) return r;
  std::string how;
  for (const std::string& w : shared) how += (how.empty() ? "" : " ") + w;
  size_t named = 0;
  for (const std::string& w : tokenize(p.product).words) named += !stopword(w) && !vt.words.count(w);
  double coverage = named ? static_cast<double>(shared.size()) / static_cast<double>(named) : 0;
  r = {true, digits.empty() ? 0.6 : 0.8, coverage, "model words '" + how + "' in '" + (p.name.empty() ? p.product : p.name) + "'"};
  return r;
}

}  // namespace ms::exposure
