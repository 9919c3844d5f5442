// Recursive-descent JSON (RFC 8259) with depth and size limits.
#include "common/json_reader.h"

#include "common/find.h"
#include "common/utf8.h"

#include <cstdint>

namespace ms {

const JsonValue* JsonValue::get(std::string_view key) const {
  if (type != kObject) return nullptr;
  for (size_t i = 0; i < keys.size() && i < items.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

namespace {

struct Parser {
  std::string_view s;
  size_t pos = 0;
  size_t values = 0;
  size_t max_values = kJsonMaxValues;
  const char* err = nullptr;

  void ws() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
  }
  bool fail(const char* why) {
    if (!err) err = why;
    return false;
  }
  bool expect(char c) {
    ws();
    if (pos >= s.size()) return fail("json.truncated");
    if (s[pos] != c) return fail("json.syntax");
    ++pos;
    return true;
  }

  bool hex4(uint32_t& v) {
    if (pos + 4 > s.size()) return fail("json.truncated");
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s[pos++];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return fail("json.bad_escape");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    return true;
  }

  bool string(std::string& out) {
    if (!expect('"')) return false;
    while (pos < s.size()) {
      // Ordinary characters in one run, appended at once.
      size_t run = pos;
      while (run < s.size() && s[run] != '"' && s[run] != '\\' && static_cast<unsigned char>(s[run]) >= 0x20) ++run;
      out.append(s.data() + pos, run - pos);
      pos = run;
      if (pos >= s.size()) break;
      char c = s[pos++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("json.control_in_string");
      if (pos >= s.size()) return fail("json.truncated");
      char e = s[pos++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && pos + 6 <= s.size() && s[pos] == '\\' && s[pos + 1] == 'u') {
            pos += 2;
            uint32_t lo;
            if (!hex4(lo)) return false;
            cp = (lo >= 0xDC00 && lo <= 0xDFFF) ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : 0xFFFD;
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return fail("json.bad_escape");
      }
    }
    return fail("json.truncated");
  }

  bool value(JsonValue& v, int depth) {
    if (depth > kJsonMaxDepth) return fail("json.too_deep");
    if (++values > max_values) return fail("json.too_many_values");
    ws();
    if (pos >= s.size()) return fail("json.truncated");
    char c = s[pos];
    if (c == '{') {
      v.type = JsonValue::kObject;
      // Room for a typical object of our events (a DNS record has 4-6
      // members): growing a vector of values moves every value.
      v.keys.reserve(8);
      v.items.reserve(8);
      ++pos;
      ws();
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        return true;
      }
      for (;;) {
        std::string key;
        if (!string(key) || !expect(':')) return false;
        v.keys.push_back(std::move(key));
        v.items.emplace_back();
        if (!value(v.items.back(), depth + 1)) return false;
        ws();
        if (pos >= s.size()) return fail("json.truncated");
        if (s[pos] == ',') {
          ++pos;
          continue;
        }
        return expect('}');
      }
    }
    if (c == '[') {
      v.type = JsonValue::kArray;
      ++pos;
      ws();
      if (pos < s.size() && s[pos] == ']') {
        ++pos;
        return true;
      }
      v.items.reserve(4);
      for (;;) {
        v.items.emplace_back();
        if (!value(v.items.back(), depth + 1)) return false;
        ws();
        if (pos >= s.size()) return fail("json.truncated");
        if (s[pos] == ',') {
          ++pos;
          continue;
        }
        return expect(']');
      }
    }
    if (c == '"') {
      v.type = JsonValue::kString;
      return string(v.text);
    }
    auto word = [&](std::string_view w) {
      if (s.substr(pos, w.size()) != w) return pos + w.size() > s.size() ? fail("json.truncated") : fail("json.syntax");
      pos += w.size();
      return true;
    };
    if (c == 't') {
      v.type = JsonValue::kBool;
      v.boolean = true;
      return word("true");
    }
    if (c == 'f') {
      v.type = JsonValue::kBool;
      return word("false");
    }
    if (c == 'n') return word("null");
    if (c == '-' || (c >= '0' && c <= '9')) {
      v.type = JsonValue::kNumber;
      size_t start = pos;
      while (pos < s.size() && (std::string_view("+-.eE0123456789").find(s[pos]) != std::string_view::npos)) ++pos;
      if (pos - start > 64) return fail("json.number_too_long");
      v.text = std::string(s.substr(start, pos - start));
      return true;
    }
    return fail("json.syntax");
  }
};

}  // namespace

const char* parse_json(std::string_view text, JsonValue& out, size_t max_values) {
  Parser p{text};
  p.max_values = max_values;
  out = JsonValue{};
  if (!p.value(out, 0)) return p.err ? p.err : "json.syntax";
  p.ws();
  if (p.pos != text.size()) return "json.trailing_data";
  return nullptr;
}

const char* parse_json_member(std::string_view line, std::string_view key, JsonValue& out) {
  char pat[64];
  if (key.size() + 4 <= sizeof pat) {
    size_t n = 0;
    pat[n++] = ',';
    pat[n++] = '"';
    for (char c : key) pat[n++] = c;
    pat[n++] = '"';
    pat[n++] = ':';
    size_t at = find_text(line, std::string_view(pat, n));
    if (at != std::string_view::npos) {
      Parser p{line};
      p.pos = at + n;
      out = JsonValue{};
      if (!p.value(out, 1)) return p.err ? p.err : "json.syntax";
      return nullptr;
    }
  }
  JsonValue root;
  if (const char* err = parse_json(line, root)) return err;
  const JsonValue* v = root.get(key);
  if (!v) return "json.no_member";
  out = *v;  // the rare fallback: a copy
  return nullptr;
}

}  // namespace ms
