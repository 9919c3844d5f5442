// A small, fast JSON writer for the event output. Strings are escaped per
// RFC 8259; bytes that are not valid UTF-8 are written as \u00XX of the byte
// so that hostile payloads can never produce an invalid JSON line.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace ms {

// A key written in the code, as a literal: checked when the program is
// compiled (printable ASCII without a quote or a backslash, as every key of
// the schemas is), so the writer copies it without the escaping scan it
// gives every other string. That scan was half of the writer's cost: a line
// has about 25 keys. Keys that are not literals go through the checked path.
class JsonKey {
 public:
  static constexpr size_t kMax = 60;
  template <size_t N>
  consteval JsonKey(const char (&s)[N]) : s_(s), n_(N - 1) {  // NOLINT: implicit by design
    if (N - 1 > kMax) throw "a JSON key literal is at most 60 bytes";
    for (size_t i = 0; i + 1 < N; ++i) {
      if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\') throw "a JSON key literal needs no escaping";
    }
  }
  const char* data() const { return s_; }
  size_t size() const { return n_; }

 private:
  const char* s_;
  size_t n_;
};

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { sep(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& end_object() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_ = true; return *this; }
  JsonWriter& end_array() { out_ += ']'; first_ = false; return *this; }

  // A key written in the code: no escaping scan at run time (see JsonKey).
  JsonWriter& key(JsonKey k) {
    append_key(k.data(), k.size());
    first_ = true;  // the value that follows takes no comma
    return *this;
  }
  // Any other key (from a table, or read from the wire): escaped.
  template <typename K>
    requires(!std::is_array_v<std::remove_cvref_t<K>> && std::is_convertible_v<const K&, std::string_view>)
  JsonWriter& key(const K& k) {
    append_string(std::string_view(k), !first_, true);
    first_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view s) {
    append_string(s, !first_, false);
    first_ = false;
    return *this;
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
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
  JsonWriter& kv(JsonKey k, const T& v) {
    key(k);
    return value(v);
  }
  template <typename K, typename T>
    requires(!std::is_array_v<std::remove_cvref_t<K>> && std::is_convertible_v<const K&, std::string_view>)
  JsonWriter& kv(const K& k, const T& v) {
    key(std::string_view(k));
    return value(v);
  }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  // `,"k":` (no comma first in an object or array); `k` needs no escaping.
  void append_key(const char* k, size_t n) {  // n <= JsonKey::kMax: checked when compiled
    char buf[JsonKey::kMax + 4];
    size_t i = 0;
    buf[i] = ',';
    i += !first_;
    buf[i++] = '"';
    std::memcpy(buf + i, k, n);  // n is a constant once inlined: a few moves
    i += n;
    buf[i++] = '"';
    buf[i++] = ':';
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
