// A small, fast JSON writer for the event output. Strings are escaped per
// RFC 8259; bytes that are not valid UTF-8 are written as \u00XX of the byte
// so that hostile payloads can never produce an invalid JSON line.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ms {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { sep(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& end_object() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_ = true; return *this; }
  JsonWriter& end_array() { out_ += ']'; first_ = false; return *this; }

  JsonWriter& key(std::string_view k) {
    append_string(k, !first_, true);
    first_ = true;  // the value that follows takes no comma
    return *this;
  }
  // A key the compiler can see is a literal (nearly every key) is an
  // identifier written in the code, never wire data: it is copied without
  // the escaping scan, which was half of the writer's cost (a key per value,
  // and a line has about 25). Anything else, or a build where the compiler
  // cannot tell, takes the checked path above.
  JsonWriter& key(const char* k) {
    if (__builtin_constant_p(__builtin_strlen(k)) && __builtin_strlen(k) <= kLiteralKeyMax) {
      append_literal(k, __builtin_strlen(k), true);
    } else {
      append_string(k, !first_, true);
    }
    first_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view s) {
    append_string(s, !first_, false);
    first_ = false;
    return *this;
  }
  JsonWriter& value(const char* s) {
    // A literal value ("mllp", "none") needs no scan either (see key()).
    if (__builtin_constant_p(__builtin_strlen(s)) && __builtin_strlen(s) <= kLiteralKeyMax) {
      append_literal(s, __builtin_strlen(s), false);
      first_ = false;
      return *this;
    }
    return value(std::string_view(s));
  }
  JsonWriter& value(bool b) { sep(); out_ += b ? "true" : "false"; return *this; }
  JsonWriter& value(int64_t v) { append_int(v); return *this; }
  JsonWriter& value(uint64_t v) { append_int(v); return *this; }
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& null() { sep(); out_ += "null"; return *this; }
  // Inserts an already serialised JSON value verbatim.
  JsonWriter& raw(std::string_view json) { sep(); out_ += json; return *this; }

  template <typename T>
  JsonWriter& kv(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  template <typename T>
  JsonWriter& kv(const char* k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  static constexpr size_t kLiteralKeyMax = 60;
  // `,"k"` and a colon when `colon` (no comma first in an object or array),
  // `k` needing no escaping.
  void append_literal(const char* k, size_t n, bool colon) {
    char buf[kLiteralKeyMax + 4];
    size_t i = 0;
    buf[i] = ',';
    i += !first_;
    buf[i++] = '"';
    std::memcpy(buf + i, k, n);  // n is a constant here: a few moves, no call
    i += n;
    buf[i++] = '"';
    buf[i] = ':';
    i += colon;
    out_.append(buf, i);
  }
  // `s` quoted and escaped, after a comma when `comma`, followed by a colon
  // when `colon` (a key): one append to the line in the usual case.
  void append_string(std::string_view s, bool comma, bool colon);
  template <typename I>
  void append_int(I v) {
    char buf[25];
    char* p = buf;
    if (!first_) *p++ = ',';
    first_ = false;
    auto r = std::to_chars(p, buf + sizeof buf, v);  // 24 holds any 64-bit value
    out_.append(buf, r.ptr);
  }

  std::string& out_;
  bool first_ = true;
};

// What a JSON reader gets back from the writer's output for `s`: `s` itself
// when it is valid UTF-8 (the usual case: no copy), otherwise with each byte
// that is not part of a valid sequence turned into the UTF-8 of U+00XX (the
// writer writes it as \u00XX, a reader decodes that). The readers of typed
// events pass wire text from the structs through it, so what they keep is
// what they kept when they parsed the JSON line (a Latin-1 banner, say).
// Use it as a temporary: it may point into `s`.
class JsonText {
 public:
  explicit JsonText(std::string_view s);  // json_read_back() (common/json_read_back.h)
  operator std::string_view() const { return view_; }
  JsonText(const JsonText&) = delete;  // view_ may point into buf_
  JsonText& operator=(const JsonText&) = delete;

 private:
  std::string buf_;
  std::string_view view_;
};

}  // namespace ms
