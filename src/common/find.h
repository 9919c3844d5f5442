// Substring search for hot paths over JSON and protocol text. std::string's
// find() calls memchr for the needle's first byte and compares at every hit:
// for a needle starting with '"' in JSON (a quote every few bytes) that is a
// call per field. glibc's memmem skips by a hash of byte pairs instead.
#pragma once

#include <string.h>

#include <cstddef>
#include <string_view>

namespace ms {

// The position of `needle` in `hay` at or after `from`, or npos.
inline size_t find_text(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (from > hay.size()) return std::string_view::npos;
  if (needle.empty()) return from;
  const void* p = memmem(hay.data() + from, hay.size() - from, needle.data(), needle.size());
  return p ? static_cast<size_t>(static_cast<const char*>(p) - hay.data()) : std::string_view::npos;
}

inline bool contains_text(std::string_view hay, std::string_view needle) {
  return find_text(hay, needle) != std::string_view::npos;
}

}  // namespace ms
