// A command's options, read one at a time (see options.h).
#include "app/options.h"

#include <iostream>
#include <string_view>

namespace ms {

int usage_error(const std::string& msg) {
  std::cerr << "medsentry: error: " << msg << " (see 'medsentry --help')\n";
  return 2;
}

bool parse_count(const std::string& s, long long lo, long long hi, long long& out) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  out = std::stoll(s);
  return out >= lo && out <= hi;
}

bool parse_size(const std::string& s, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t mult = 1;
  std::string digits = s;
  switch (s.back()) {
    case 'k': case 'K': mult = 1ull << 10; digits.pop_back(); break;
    case 'M': mult = 1ull << 20; digits.pop_back(); break;
    case 'G': mult = 1ull << 30; digits.pop_back(); break;
    default: break;
  }
  long long n = 0;
  if (!parse_count(digits, 1, 1LL << 40, n)) return false;
  out = static_cast<uint64_t>(n) * mult;
  return out <= (1ull << 50);
}

bool Options::is(const char* names) const {
  std::string_view all(names), a(arg());
  for (size_t start = 0; start <= all.size();) {
    size_t bar = all.find('|', start);
    if (bar == std::string_view::npos) bar = all.size();
    if (all.substr(start, bar - start) == a) return true;
    start = bar + 1;
  }
  return false;
}

bool Options::value(std::string& out) {
  if (i_ + 1 >= args_.size()) return false;
  out = args_[++i_];
  return true;
}

std::vector<std::string> Options::rest() {
  std::vector<std::string> r(args_.begin() + static_cast<long>(i_) + 1, args_.end());
  i_ = args_.size();
  return r;
}

bool Options::fail(const std::string& msg) {
  usage_error(msg);
  failed_ = true;
  return true;
}

int Options::unknown(const std::string& command) const {
  return usage_error(command + ": unknown option '" + arg() + "'");
}

bool Options::text(const char* names, const char* what, std::string& out) {
  if (!is(names)) return false;
  std::string name = arg(), v;
  if (!value(v) || v.empty()) return fail(name + " needs " + what);
  out = std::move(v);
  return true;
}

bool Options::texts(const char* names, const char* what, std::vector<std::string>& out) {
  std::string v;
  if (!text(names, what, v)) return false;
  if (!failed_) out.push_back(std::move(v));
  return true;
}

bool Options::choice(const char* names, std::initializer_list<const char*> allowed, std::string& out) {
  if (!is(names)) return false;
  std::string list;  // "table, csv or json"
  size_t k = 0;
  for (const char* c : allowed) {
    if (k > 0) list += k + 1 == allowed.size() ? " or " : ", ";
    list += c;
    ++k;
  }
  std::string name = arg(), v;
  if (!value(v)) return fail(name + " needs " + list);
  for (const char* c : allowed) {
    if (v == c) {
      out = std::move(v);
      return true;
    }
  }
  return fail(name + ": '" + v + "' is not " + list);
}

bool Options::flag(const char* names, bool& out, bool set_to) {
  if (!is(names)) return false;
  out = set_to;
  return true;
}

bool Options::count_value(const char* names, long long lo, long long hi, long long& n) {
  if (!is(names)) return false;
  std::string name = arg(), v;
  if (!value(v)) return fail(name + " needs a number");
  if (!parse_count(v, lo, hi, n))
    return fail(name + ": '" + v + "' is not a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return true;
}

bool Options::size(const char* names, uint64_t& out) {
  if (!is(names)) return false;
  std::string name = arg(), v;
  if (!value(v) || !parse_size(v, out)) return fail(name + " needs a size (bytes, or with k, M or G)");
  return true;
}

}  // namespace ms
