// CSV as the data/ tables and the registries write it: RFC 4180 quoting,
// '#' comment lines and empty lines skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms {

// Every record. Throws std::runtime_error naming `name` and the line on an
// unterminated quote.
std::vector<std::vector<std::string>> parse_csv(std::string_view text, const std::string& name);

}  // namespace ms
