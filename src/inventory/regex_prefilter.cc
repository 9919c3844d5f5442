// Required literals of a pattern (regex_prefilter.h). A recursive reader of
// the ECMAScript syntax (ECMA-262 §22.2.1): an alternation needs one of its
// alternatives' sets; a sequence needs each of its mandatory parts, and the
// part with the longest shortest literal is kept. Anything it does not know
// gives "no set", which only costs speed, never a match.
#include "inventory/regex_prefilter.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace ms::inv {

namespace {

using Set = std::optional<std::vector<std::string>>;  // nullopt: no constraint known
constexpr size_t kMaxLiterals = 32;

char lower_char(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

size_t shortest(const std::vector<std::string>& v) {
  size_t m = SIZE_MAX;
  for (const std::string& s : v) m = std::min(m, s.size());
  return v.empty() ? 0 : m;
}

void keep_better(Set& best, Set s) {
  if (s && !s->empty() && (!best || shortest(*s) > shortest(*best))) best = std::move(s);
}

class Reader {
 public:
  explicit Reader(std::string_view p) : p_(p) {}

  Set whole() {
    Set s = alternation(0);
    if (bad_ || i_ != p_.size()) return std::nullopt;
    return s;
  }

 private:
  // alternative ('|' alternative)*: one of them occurs.
  Set alternation(int depth) {
    if (depth > 32) bad_ = true;
    std::vector<std::string> all;
    bool unknown = false;
    for (;;) {
      Set s = sequence(depth);
      if (!s) unknown = true;
      else all.insert(all.end(), s->begin(), s->end());
      if (bad_ || i_ >= p_.size() || p_[i_] != '|') break;
      ++i_;
    }
    if (bad_ || unknown || all.empty() || all.size() > kMaxLiterals) return std::nullopt;
    return all;
  }

  // Atoms with their quantifiers, up to '|' or ')'.
  Set sequence(int depth) {
    Set best;
    std::string run;  // adjacent mandatory characters
    auto flush = [&] {
      if (!run.empty()) keep_better(best, std::vector<std::string>{run});
      run.clear();
    };
    while (!bad_ && i_ < p_.size() && p_[i_] != '|' && p_[i_] != ')') {
      Set group;
      bool literal = false, zero_width = false;
      char lit = 0;
      char c = p_[i_];
      if (c == '(') {
        ++i_;
        bool look = false;
        if (p_.substr(i_, 2) == "?:") {
          i_ += 2;
        } else if (i_ < p_.size() && p_[i_] == '?') {  // (?= (?! : zero-width, not kept
          i_ += 2;
          look = true;
        }
        Set inner = alternation(depth + 1);
        if (i_ >= p_.size() || p_[i_] != ')') {
          bad_ = true;
          break;
        }
        ++i_;
        if (look) zero_width = true;
        else group = std::move(inner);
      } else if (c == '[') {
        skip_class();
      } else if (c == '\\') {
        if (i_ + 1 >= p_.size()) {
          bad_ = true;
          break;
        }
        char e = p_[i_ + 1];
        i_ += 2;
        if (std::isalnum(static_cast<unsigned char>(e))) {
          // \b \B zero-width; \d \w \s ... classes; \x \u \c escapes and
          // back references: none is kept as a literal.
          zero_width = e == 'b' || e == 'B';
        } else {
          literal = true;
          lit = e;
        }
      } else if (c == '.') {
        ++i_;
      } else if (c == '^' || c == '$') {
        ++i_;
        zero_width = true;
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        bad_ = true;  // a quantifier with nothing before it
        break;
      } else {
        literal = true;
        lit = c;
        ++i_;
      }
      size_t min_repeat = quantifier();
      if (bad_) break;
      if (zero_width) {
        flush();
        continue;
      }
      if (literal && min_repeat >= 1) {
        run += lower_char(lit);
        if (min_repeat != 1 || repeated_) flush();  // "a+b": "ab" is there, "a+" then "x" may not be adjacent to a run before
        continue;
      }
      flush();
      if (min_repeat >= 1) keep_better(best, std::move(group));
    }
    flush();
    return best;
  }

  // The quantifier after an atom: its minimum count (1 without one);
  // repeated_ says whether the atom may occur more than once.
  size_t quantifier() {
    repeated_ = false;
    if (i_ >= p_.size()) return 1;
    size_t min = 1;
    char q = p_[i_];
    if (q == '*' || q == '?') {
      min = 0;
      repeated_ = q == '*';
      ++i_;
    } else if (q == '+') {
      repeated_ = true;
      ++i_;
    } else if (q == '{') {
      size_t j = i_ + 1, n = 0;
      bool digits = false;
      while (j < p_.size() && std::isdigit(static_cast<unsigned char>(p_[j]))) {
        n = std::min<size_t>(n * 10 + static_cast<size_t>(p_[j] - '0'), 1000);
        digits = true;
        ++j;
      }
      if (!digits) {
        bad_ = true;
        return 0;
      }
      if (j < p_.size() && p_[j] == ',') {
        repeated_ = true;
        ++j;
        while (j < p_.size() && std::isdigit(static_cast<unsigned char>(p_[j]))) ++j;
      }
      if (j >= p_.size() || p_[j] != '}') {
        bad_ = true;
        return 0;
      }
      i_ = j + 1;
      min = n;
      repeated_ = repeated_ || n != 1;
    } else {
      return 1;
    }
    if (i_ < p_.size() && p_[i_] == '?') ++i_;  // lazy: the same counts
    return min;
  }

  void skip_class() {
    ++i_;  // '['
    if (i_ < p_.size() && p_[i_] == '^') ++i_;
    while (i_ < p_.size() && p_[i_] != ']') i_ += p_[i_] == '\\' ? 2 : 1;
    if (i_ >= p_.size()) bad_ = true;
    else ++i_;
  }

  std::string_view p_;
  size_t i_ = 0;
  bool bad_ = false;
  bool repeated_ = false;
};

}  // namespace

std::optional<std::vector<std::string>> required_literals(std::string_view pattern) {
  return Reader(pattern).whole();
}

bool contains_any(std::string_view lowered, const std::vector<std::string>& literals) {
  return std::any_of(literals.begin(), literals.end(),
                     [&](const std::string& l) { return lowered.find(l) != std::string_view::npos; });
}

}  // namespace ms::inv
