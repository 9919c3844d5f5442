// JSON string escaping with UTF-8 validation, and JsonText: what a reader
// gets back from it.
#include "common/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/json_read_back.h"
#include "common/utf8.h"

namespace ms {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_len(std::string_view s, size_t i) {
  auto c = static_cast<uint8_t>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    auto cc = static_cast<uint8_t>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Bytes written as they are: printable ASCII but the quote and the backslash.
constexpr auto kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

}  // namespace

void JsonWriter::append_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Most strings need no escaping: written with one resize and one copy
  // (a push_back per quote is a call each, and strings are most of a line).
  size_t i = 0;
  while (i < s.size() && kPlain[static_cast<uint8_t>(s[i])]) ++i;
  if (i == s.size()) {
    size_t at = out_.size();
    out_.resize(at + s.size() + 2);
    char* p = out_.data() + at;
    p[0] = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return;
  }
  out_ += '"';
  out_.append(s.data(), i);
  while (i < s.size()) {
    // Append the longest run of bytes that need no escaping in one go.
    size_t run = i;
    while (run < s.size() && kPlain[static_cast<uint8_t>(s[run])]) ++run;
    if (run > i) {
      out_.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<uint8_t>(s[i]);
    switch (c) {
      case '"': out_ += "\\\""; ++i; continue;
      case '\\': out_ += "\\\\"; ++i; continue;
      case '\n': out_ += "\\n"; ++i; continue;
      case '\r': out_ += "\\r"; ++i; continue;
      case '\t': out_ += "\\t"; ++i; continue;
      default: break;
    }
    size_t n = c < 0x20 ? 0 : utf8_len(s, i);
    if (n == 0) {
      // Control character or a byte that is not valid UTF-8: keep the byte's
      // value visible without breaking the line's encoding.
      out_ += "\\u00";
      out_ += kHex[c >> 4];
      out_ += kHex[c & 0xF];
      ++i;
    } else {
      out_.append(s.data() + i, n);
      i += n;
    }
  }
  out_ += '"';
}

std::string_view json_read_back(std::string_view s, std::string& buf) {
  size_t i = 0;
  while (i < s.size() && static_cast<uint8_t>(s[i]) < 0x80) ++i;  // ASCII reads back as it is
  if (i == s.size()) return s;
  bool same = true;
  for (size_t k = i; k < s.size() && same;) {
    size_t n = utf8_len(s, k);
    same = n != 0;
    k += n;
  }
  if (same) return s;
  buf.assign(s.data(), i);
  while (i < s.size()) {
    size_t n = utf8_len(s, i);
    if (n == 0) {
      append_utf8(buf, static_cast<uint8_t>(s[i]));
      ++i;
    } else {
      buf.append(s.data() + i, n);
      i += n;
    }
  }
  return buf;
}

bool json_verbatim(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      if (!kPlain[c]) return false;
      ++i;
      continue;
    }
    size_t n = utf8_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

JsonText::JsonText(std::string_view s) : view_(json_read_back(s, buf_)) {
}

JsonWriter& JsonWriter::value(double v) {
  sep();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  // Six significant digits, exactly as printf's %.6g (the standard defines
  // to_chars with a precision that way), without printf's machinery.
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  out_.append(buf, r.ptr);
  return *this;
}

}  // namespace ms
