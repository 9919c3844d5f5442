// JSON string escaping with UTF-8 validation, and JsonText: what a reader
// gets back from it.
#include "common/json_writer.h"

#include <algorithm>
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

// How many bytes at the start of `s` are written as they are. Eight bytes
// at a time (the bit tests of "Bit Twiddling Hacks", S. E. Anderson: a word
// has a zero byte iff (v - 0x01..) & ~v & 0x80.. is non-zero): strings are
// most of a line and almost never need escaping, so this scan is the
// writer's main cost; a byte at a time it was a tenth of the packet thread.
size_t plain_prefix(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto plain = [](uint64_t w) {
    uint64_t quote = w ^ (kOnes * '"'), slash = w ^ (kOnes * '\\');
    // With no byte >= 0x80, (w - 0x20..) & ~w & 0x80.. flags a byte < 0x20.
    return ((w | ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash)) & kHigh) == 0;
  };
  size_t n = s.size(), i = 0;
  uint64_t w;
  for (; i + 8 <= n; i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    if (!plain(w)) break;
  }
  if (i < n) {
    // The last bytes: the word ending the string (overlapping what passed),
    // or, for a string under 8 bytes, padded with plain bytes.
    const char* p = s.data();
    if (n >= 8) {
      std::memcpy(&w, p + n - 8, 8);
    } else if (n >= 4) {  // two overlapping halves cover every byte
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      w = lo | static_cast<uint64_t>(hi) << 32;
    } else {
      w = kOnes * 'a';
      for (size_t k = 0; k < n; ++k) w = (w << 8) | static_cast<uint8_t>(p[k]);
    }
    if (i + 8 > n && plain(w)) return n;
  }
  while (i < n && kPlain[static_cast<uint8_t>(s[i])]) ++i;
  return i;
}

// Copies n <= 124 bytes with fixed-size moves (a memcpy of variable size is
// a call, as long as the copy itself for the short strings that dominate).
inline void copy_short(char* d, const char* s, size_t n) {
  if (n >= 8) {
    size_t k = 0;
    for (; k + 8 <= n; k += 8) std::memcpy(d + k, s + k, 8);
    std::memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(d, s, 4);
    std::memcpy(d + n - 4, s + n - 4, 4);
  } else {
    for (size_t k = 0; k < n; ++k) d[k] = s[k];
  }
}

}  // namespace

void JsonWriter::append_string(std::string_view s, bool comma, bool colon) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Most strings need no escaping and are short: comma, quotes, text and
  // colon are put together on the stack and appended once (a string's
  // push_back is a call of its own).
  constexpr size_t kShort = 124;
  size_t i = plain_prefix(s);
  if (i == s.size() && s.size() <= kShort) {
    char buf[kShort + 4];
    size_t n = 0;
    buf[n] = ',';
    n += comma;
    buf[n++] = '"';
    copy_short(buf + n, s.data(), s.size());
    n += s.size();
    buf[n++] = '"';
    buf[n] = ':';
    n += colon;
    out_.append(buf, n);
    return;
  }
  if (comma) out_ += ',';
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
  if (colon) out_ += ':';
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
