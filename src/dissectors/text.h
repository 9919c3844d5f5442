// Small formatting helpers shared by the dissectors: addresses, hex, and
// bounded copies of wire text. All take spans and never read past them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include <vector>

#include "common/bytes.h"
#include "common/json_writer.h"
#include "common/types.h"
#include "common/utf8.h"

namespace ms::text {

inline std::string hex(Bytes b, size_t max = 64, char sep = 0) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size() && i < max; ++i) {
    if (sep && i) s += sep;
    s += d[b[i] >> 4];
    s += d[b[i] & 15];
  }
  return s;
}
// A message digest as hex: its first `max_bytes` bytes, joined by `sep` when given
// (JA3/HASSH MD5s, certificate and host key fingerprints, JA4's SHA-256 parts).
inline std::string digest_hex(const EVP_MD* md, Bytes data, size_t max_bytes = EVP_MAX_MD_SIZE, char sep = 0) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return hex(Bytes(out, n), max_bytes, sep);
}
inline std::string digest_hex(const EVP_MD* md, std::string_view s, size_t max_bytes = EVP_MAX_MD_SIZE) {
  return digest_hex(md, Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()), max_bytes);
}
inline std::string mac(Bytes b) { return hex(b.first(b.size() < 6 ? b.size() : 6), 6, ':'); }
inline std::string ipv4(const uint8_t* p) { return IpAddr::v4(p).str(); }
inline std::string ipv6(const uint8_t* p) { return IpAddr::v6(p).str(); }
inline std::string_view view(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
// At most `max` bytes of wire text (the JSON writer escapes what needs it).
inline std::string str(Bytes b, size_t max = 256) { return std::string(view(b.first(b.size() < max ? b.size() : max))); }
inline std::string trim(std::string_view s) {
  size_t a = 0, e = s.size();
  while (a < e && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n')) ++a;
  while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return std::string(s.substr(a, e - a));
}
inline std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return o;
}

// A key with a string value, left out when the value is empty.
inline void opt(JsonWriter& w, JsonKey key, const std::string& v) {
  if (!v.empty()) w.kv(key, v);
}
// A key with an array of strings, left out when there is none.
inline void list(JsonWriter& w, JsonKey key, const std::vector<std::string>& v) {
  if (v.empty()) return;
  w.key(key).begin_array();
  for (const auto& s : v) w.value(s);
  w.end_array();
}

// UTF-16LE (Windows wire strings) to UTF-8, at most `max` input bytes;
// stops at a NUL. Unpaired surrogates become U+FFFD.
inline std::string utf16le(Bytes b, size_t max = 1024) {
  std::string o;
  size_t n = b.size() < max ? b.size() : max;
  for (size_t i = 0; i + 1 < n; i += 2) {
    uint32_t c = le16(b.data() + i);
    if (c == 0) break;
    if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
      uint32_t lo = le16(b.data() + i + 2);
      if (lo >= 0xdc00 && lo < 0xe000) {
        append_utf8(o, 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00));
        i += 2;
        continue;
      }
    }
    append_utf8(o, c >= 0xd800 && c < 0xe000 ? 0xfffd : c);
  }
  return o;
}

}  // namespace ms::text
