// Hashing for flow keys. The table hash is keyed with a per-run random seed so
// that an attacker cannot precompute colliding 5-tuples; flow ids use a fixed
// key so that they are the same on every run of the same capture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ms {

inline uint64_t mix64(uint64_t x) {
  // Finaliser of splitmix64: full avalanche on 64 bits.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t hash_bytes(const void* data, size_t len, uint64_t seed) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = mix64(seed ^ (len * 0x9e3779b97f4a7c15ULL));
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h ^ w) * 0x9e3779b97f4a7c15ULL;
    p += 8;
    len -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, len);
  return mix64(h ^ tail ^ (static_cast<uint64_t>(len) << 56));
}

// A transparent hash for string-keyed maps: looked up by a std::string_view
// (a field of an event, a reused buffer) without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace ms
