// A regular expression's required literals (a prefilter, as RE2 and Hyperscan
// use): a set of strings at least one of which occurs in every text the
// pattern matches. The device signatures (data/device_signatures.csv) are
// compiled and run only on texts that contain one of their literals: most
// texts name none of the 150 products, so most patterns are never compiled
// (compiling them all took more instructions than observing every flow of a
// capture's first minute; docs/decisions.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::inv {

// The literals of an ECMAScript pattern matched case-insensitively, in ASCII
// lower case; nullopt when no such set is known (an optional or unbounded
// part, a class, more than a few alternatives, or a pattern this reader does
// not understand): then every text must be tried. Sound by construction: a
// literal is only taken from a part every match must contain.
std::optional<std::vector<std::string>> required_literals(std::string_view pattern);

// Whether `lowered` (a text in ASCII lower case, text::lower: like
// std::regex's icase in the "C" locale) contains one of `literals`.
bool contains_any(std::string_view lowered, const std::vector<std::string>& literals);

}  // namespace ms::inv
