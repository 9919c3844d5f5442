// Reading an advisory entry's version text into a VersionSpec (version.h):
// `vers:` ranges, and the free text CISA writes in its ICSMA advisories (every
// form seen in the 144 of ../shared/corpus/cisagov-CSAF/icsma is covered by
// tests/unit/exposure_version_test.cc). Rewrites phrases into constraints,
// splits the alternatives, and sorts each term into a constraint, a model
// number, or a note.
#include <algorithm>
#include <cctype>
#include <regex>

#include "exposure/version.h"

namespace ms::exposure {

namespace {

constexpr size_t kMaxText = 512;
constexpr size_t kMaxTerms = 64;

std::string trim(std::string_view s) {
  size_t a = 0, e = s.size();
  while (a < e && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (e > a && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(a, e - a));
}
void add_note(VersionSpec& s, std::string_view t) {
  std::string x = trim(t);
  if (x.empty()) return;
  if (!s.note.empty()) s.note += "; ";
  s.note += x;
}

// Parenthesised text is a qualifier ("(integrated into GE MobileLink)",
// "(with Wireless Battery Module ...)"): moved to the note. A text that is
// all one parenthesis is unwrapped instead.
std::string take_parentheses(std::string t, VersionSpec& s) {
  if (t.size() > 2 && t.front() == '(' && t.back() == ')' && t.find('(', 1) == std::string::npos) return t.substr(1, t.size() - 2);
  size_t open = t.find('(');
  while (open != std::string::npos) {
    int depth = 0;
    size_t i = open;
    for (; i < t.size(); ++i) {
      if (t[i] == '(') ++depth;
      if (t[i] == ')' && --depth == 0) break;
    }
    size_t end = i < t.size() ? i + 1 : t.size();
    add_note(s, t.substr(open, end - open));
    t.erase(open, end - open);
    open = t.find('(');
  }
  return trim(t);
}

// A text that says when a unit was made or shipped, or an option: nothing a
// network shows.
bool is_condition(const std::string& t) {
  static const std::regex re(
      R"(\b(jan(uary)?|feb(ruary)?|march|april|may|june|july|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)\b|)"
      R"(\bshipped\b|\bdistributed\b|\bbetween\b|\boption\b|\b\d{1,2}/\d{1,2}/\d{4}\b)",
      std::regex::icase);
  return std::regex_search(t, re);
}

// Phrases into comparators: "2.3.6 and below" -> "<= 2.3.6", "prior to 3.2"
// -> "< 3.2", "4.0 and later" -> ">= 4.0", "1.0 through 1.1" -> ">= 1.0 | <= 1.1".
std::string rewrite_phrases(std::string t) {
  static const std::regex words(R"(\b(versions?|firmware|software|releases?|revisions?|rev\.?)\s+)", std::regex::icase);
  static const std::regex below(R"((\S+)\s+(and|or)\s+(below|earlier|prior|lower|older))", std::regex::icase);
  static const std::regex above(R"((\S+)\s+(and|or)\s+(later|above|newer|higher|greater))", std::regex::icase);
  static const std::regex prior(R"(\b(prior\s+to|before|earlier\s+than|older\s+than)\s+)", std::regex::icase);
  static const std::regex through(R"((\S+)\s+(through|thru|to)\s+(\S+))", std::regex::icase);
  static const std::regex infix(R"(^(\S+)\s*(<=?)\s*(\S+)$)");
  t = std::regex_replace(t, words, "");
  t = std::regex_replace(t, below, "<= $1");
  t = std::regex_replace(t, above, ">= $1");
  t = std::regex_replace(t, prior, "< ");
  t = std::regex_replace(t, through, ">= $1 | <= $3");
  // "A10 < A11", "A.01 <= C.0x": a lower and an upper bound.
  std::string out, part;
  size_t i = 0;
  while (i <= t.size()) {
    size_t j = t.find('|', i);
    if (j == std::string::npos) j = t.size();
    part = trim(std::string_view(t).substr(i, j - i));
    std::smatch m;
    if (std::regex_match(part, m, infix) && m[1].str().find_first_of("<>=") == std::string::npos)
      part = ">= " + m[1].str() + " | " + m[2].str() + " " + m[3].str();
    out += (out.empty() ? "" : " | ") + part;
    i = j + 1;
  }
  return out;
}

// A token that reads as a version: digits with separators (2.3.6, 12.2.x.x,
// 2023.3_Build_9342, 1.4.2.0-9d9eff4), a revision letter (K, B.02, C.0x), or
// a short letter prefix glued to few digits (BT06, U61, D25, VS30, R8.0.3).
bool version_like(std::string_view tok) {
  static const std::regex re(
      R"(^(?:[vV]?\d[\w.\-]*|[A-Za-z]{1,2}(?:\.[\w.]+)?|[A-Za-z]{1,3}\d{1,3}[A-Za-z]?(?:[.\-]\w+)*|[A-Za-z]{1,3}-\d+\.[\w.]+|\*)$)");
  if (tok.size() > 48) return false;
  std::string s(tok);
  if (!std::regex_match(s, re)) return false;
  // Long bare numbers are model or part numbers (882476, 24950), not versions.
  bool digits_only = s.find_first_not_of("0123456789") == std::string::npos;
  return !(digits_only && s.size() >= 3);
}
// A token that names a model: a word glued to digits or hyphenated with them
// (MMT-554, 35700BAX3, A51300), or a bare number of three or more digits.
bool model_like(std::string_view tok) {
  static const std::regex re(R"(^(?:[A-Za-z]*-?\d{3,}[\w\-]*|\d+[A-Za-z]+\w*|[A-Za-z]+\d+[\w\-]*)$)");
  return tok.size() <= 48 && std::regex_match(std::string(tok), re);
}
// Words that qualify a version without changing it.
bool version_word(const std::string& w) {
  static const char* kw[] = {"build", "service", "pack", "sp", "mr", "patch", "update", "hotfix", "and", "part", "#:", "n/a"};
  std::string l;
  for (char c : w) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* k : kw) {
    if (l == k) return true;
  }
  return false;
}

std::vector<std::string> split_words(const std::string& t) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < t.size() && out.size() < kMaxTerms) {
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    size_t j = i;
    while (j < t.size() && !std::isspace(static_cast<unsigned char>(t[j]))) ++j;
    if (j > i) out.push_back(t.substr(i, j - i));
    i = j;
  }
  return out;
}

bool take_op(std::string& t, Constraint::Op& op) {
  static const struct {
    const char* s;
    Constraint::Op op;
  } ops[] = {{">=", Constraint::kGe}, {"=>", Constraint::kGe}, {"<=", Constraint::kLe}, {"=<", Constraint::kLe},
             {"!=", Constraint::kNe}, {"<", Constraint::kLt},  {">", Constraint::kGt},  {"=", Constraint::kEq}};
  for (const auto& o : ops) {
    if (t.rfind(o.s, 0) == 0) {
      op = o.op;
      t = trim(std::string_view(t).substr(std::char_traits<char>::length(o.s)));
      return true;
    }
  }
  return false;
}

std::string strip_v(const std::string& w) {
  return w.size() > 1 && (w[0] == 'v' || w[0] == 'V') && std::isdigit(static_cast<unsigned char>(w[1])) ? w.substr(1) : w;
}

// One alternative: a comparator and a version, a list of versions, a dash
// range of revisions ("B-M"), or model numbers with words around them.
void read_term(std::string t, bool words, VersionSpec& s) {
  Constraint::Op op = Constraint::kEq;
  bool has_op = take_op(t, op);
  std::vector<std::string> w = split_words(t);
  if (w.empty()) return;
  static const std::regex dash(R"(^([A-Za-z]{1,2}|\d+)-([A-Za-z]{1,2}|\d+)$)");
  std::smatch m;
  if (!has_op && w.size() == 1 && std::regex_match(w[0], m, dash) &&
      std::isdigit(static_cast<unsigned char>(m[1].str()[0])) == std::isdigit(static_cast<unsigned char>(m[2].str()[0]))) {
    s.constraints.push_back({Constraint::kGe, m[1].str()});
    s.constraints.push_back({Constraint::kLePrefix, m[2].str()});
    return;
  }
  if (has_op) {
    bool number = w[0].find_first_not_of("0123456789") == std::string::npos;  // a year: ">= 2003"
    if (!version_like(w[0]) && !number) {
      add_note(s, t);
      return;
    }
    // "<= N" (Philips: "Rev N and prior") takes in every N.xx revision.
    bool letters = w[0].size() <= 2 && std::all_of(w[0].begin(), w[0].end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    s.constraints.push_back({op == Constraint::kLe && letters ? Constraint::kLePrefix : op, strip_v(w[0])});
    add_note(s, t.substr(t.find(w[0]) + w[0].size()));
    return;
  }
  // No comparator: versions, or models (the word "model", or numbers that
  // read as part numbers); `words`: the entry names a product.
  bool prev_version = true;  // "1.3.2 1.4.0 1.4.1": a run of versions
  for (size_t i = 0; i < w.size(); ++i) {
    bool was = prev_version;
    prev_version = false;
    std::string l = w[i];
    for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "model" && i + 1 < w.size()) {
      s.models.push_back(w[++i]);
    } else if (!words && was && version_like(w[i]) && (i == 0 || std::isdigit(static_cast<unsigned char>(w[i][0])))) {
      s.constraints.push_back({Constraint::kEq, strip_v(w[i])});
      prev_version = true;
    } else if (model_like(w[i])) {
      s.models.push_back(w[i]);
    } else if (words && s.models.empty() && i + 1 == w.size()) {
      s.models.push_back(t);  // a name only ("CoaguChek XS Pro"): matched as a phrase
    } else if (!version_word(w[i]) && (i == 0 || !version_word(w[i - 1]))) {
      add_note(s, w[i]);
    }
  }
}

// Whether an entry names a product rather than versions: a word of three
// letters or more that is neither a version, a model number nor a qualifier.
bool names_product(const std::string& t) {
  for (const std::string& x : split_words(t)) {
    std::string w = x.substr(0, x.find_first_of("|,;"));
    std::string l;
    for (char c : w) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (w.size() >= 3 && !version_like(w) && !model_like(w) && !version_word(w) && l != "model" && w[0] != '<' &&
        w[0] != '>' && w[0] != '=')
      return true;
  }
  return false;
}

VersionSpec parse_vers(std::string_view body) {
  VersionSpec s;
  size_t slash = body.find('/');
  std::string cons = trim(slash == std::string_view::npos ? body : body.substr(slash + 1));
  if (cons == "*") {
    s.kind = VersionSpec::kAll;
    return s;
  }
  size_t i = 0;
  while (i <= cons.size() && s.constraints.size() < kMaxTerms) {
    size_t j = cons.find('|', i);
    if (j == std::string::npos) j = cons.size();
    std::string t = trim(std::string_view(cons).substr(i, j - i));
    Constraint::Op op = Constraint::kEq;
    take_op(t, op);
    if (!t.empty()) s.constraints.push_back({op, t});
    i = j + 1;
  }
  s.kind = s.constraints.empty() ? VersionSpec::kUnknown : VersionSpec::kRange;
  return s;
}

}  // namespace

VersionSpec parse_version_spec(std::string_view text) {
  std::string t = trim(text.substr(0, std::min(text.size(), kMaxText)));
  for (char& c : t) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  if (t.rfind("vers:", 0) == 0 || t.rfind("VERS:", 0) == 0) return parse_vers(std::string_view(t).substr(5));
  VersionSpec s;
  static const std::regex all(R"(^\*(\s|$)|^(all|any)\b|\ball versions\b)", std::regex::icase);
  if (std::regex_search(t, all)) {
    s.kind = VersionSpec::kAll;
    add_note(s, t == "*" ? "" : t);
    return s;
  }
  t = take_parentheses(t, s);
  if (is_condition(t)) {
    s.kind = VersionSpec::kCondition;
    add_note(s, t);
    return s;
  }
  t = rewrite_phrases(t);
  // Alternatives: '|', ',', ';', " and ", " / ".
  static const std::regex sep(R"(\s*(\||,|;|\s+and\s+|\s+/\s+)\s*)", std::regex::icase);
  t = std::regex_replace(t, sep, "|");
  bool words = names_product(t);
  size_t i = 0, terms = 0;
  while (i <= t.size() && terms++ < kMaxTerms) {
    size_t j = t.find('|', i);
    if (j == std::string::npos) j = t.size();
    read_term(trim(std::string_view(t).substr(i, j - i)), words, s);
    i = j + 1;
  }
  if (!s.constraints.empty()) s.kind = VersionSpec::kRange;
  else if (!s.models.empty()) s.kind = VersionSpec::kModels;
  return s;
}

}  // namespace ms::exposure
