// What JSON readers get back from a string JsonWriter wrote: for consumers
// of typed events (ARCHITECTURE.md "events") that must see exactly what they
// saw when they parsed the line. Defined in json_writer.cc, beside the
// escaping it mirrors.
#pragma once

#include <string>
#include <string_view>

namespace ms {

// The bytes that are not valid UTF-8 are written \u00XX and read back as
// U+00XX (two bytes); everything else reads back as it was. Returns `s`
// itself when nothing changes (the usual case), else `buf` filled.
std::string_view json_read_back(std::string_view s, std::string& buf);
inline std::string json_read_back(std::string_view s) {
  std::string buf;
  return std::string(json_read_back(s, buf));
}
// True when `s` is written without any escape (no quote, backslash, control
// byte or invalid UTF-8).
bool json_verbatim(std::string_view s);

}  // namespace ms
