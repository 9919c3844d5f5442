// Versions and version ranges as advisories write them: the purl `vers:`
// spec (github.com/package-url/purl-spec, VERSION-RANGE-SPEC.rst) and the
// free text CISA puts in CSAF `product_version` / `product_version_range`
// branches ("<= 2.3.6", ">= 5.01 | <= 6.3.1", "1.1 | 1.5", "Rev B-M",
// "2.3.6 and below", "vers:all/*", model numbers, shipping dates). Pure
// functions: text in, a VersionSpec out; nothing is looked up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ms::exposure {

// -1, 0, 1; or kIncomparable when the two belong to different families
// ("U61" against "L81": a letter prefix glued to digits names a product line).
constexpr int kIncomparable = 2;
// Compares two version texts segment by segment: numbers numerically, words
// case-insensitively, a missing segment equal to a trailing 0; an `x`, `X`
// or `*` segment in `b` matches whatever `a` has from there on (2.X).
int compare_versions(std::string_view a, std::string_view b);

struct Constraint {
  enum Op : unsigned char { kEq, kNe, kLt, kLe, kGt, kGe, kLePrefix };
  Op op = kEq;
  std::string version;
};

// What one advisory entry says about versions.
struct VersionSpec {
  enum Kind : unsigned char {
    kAll,        // every version (vers:all/*, "all versions", "*")
    kRange,      // constraints (and possibly models)
    kModels,     // the entry names model numbers, not versions: any version of them
    kCondition,  // a condition a network cannot observe (shipping date, option fitted)
    kUnknown,    // nothing understood
  };
  Kind kind = kUnknown;
  std::vector<Constraint> constraints;  // matched as the vers spec says (contains())
  std::vector<std::string> models;      // model numbers the entry restricts to
  std::string note;                     // text kept aside: qualifiers, conditions, leftovers
};

// Parses an entry's text (a product_version or product_version_range name:
// a bare version is "=" in both).
VersionSpec parse_version_spec(std::string_view text);

// Whether `version` is inside the constraints (vers spec containment, with
// an unpaired upper bound open below and an unpaired lower bound open above).
bool contains(const std::vector<Constraint>& cs, std::string_view version);

// A version as devices announce it, reduced to what compares: "Rev M.00.03"
// -> "M.00.03", "V2.0.1" -> "2.0.1", "Firmware 1.5 build 7" -> "1.5".
std::string normalize_version(std::string_view text);

const char* kind_name(VersionSpec::Kind k);
std::string describe(const VersionSpec& s);

}  // namespace ms::exposure
