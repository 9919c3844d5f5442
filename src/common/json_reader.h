// A bounded JSON reader (RFC 8259) for payloads seen on the wire (FHIR
// bodies): a small DOM, at most kMaxDepth nesting and kMaxValues values;
// anything beyond is an error, never unbounded memory or recursion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms {

struct JsonValue {
  enum Type : unsigned char { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = kNull;
  bool boolean = false;
  std::string text;  // a string's value (unescaped) or a number's text
  std::vector<JsonValue> items;  // array elements, or object member values
  std::vector<std::string> keys;  // object member names, parallel to items

  const JsonValue* get(std::string_view key) const;
  std::string_view str() const { return type == kString ? std::string_view(text) : std::string_view(); }
};

// A member's string value ("" when absent or not a string), and whether a
// member is the literal true; `v` may be null.
inline std::string_view json_str(const JsonValue* v, std::string_view key) {
  const JsonValue* x = v ? v->get(key) : nullptr;
  return x ? x->str() : std::string_view();
}
inline bool json_true(const JsonValue* v, std::string_view key) {
  const JsonValue* x = v ? v->get(key) : nullptr;
  return x && x->type == JsonValue::kBool && x->boolean;
}

constexpr int kJsonMaxDepth = 32;
constexpr size_t kJsonMaxValues = 20000;

// Returns nullptr, or a reason ("json.truncated", "json.too_deep" ...).
// `max_values` raises the cap for a file the user chose (CISA's KEV catalog
// holds 18,000 values and grows); wire payloads keep the default.
const char* parse_json(std::string_view text, JsonValue& out, size_t max_values = kJsonMaxValues);

// The value of the member `key` of the top-level object of `line`, one of our
// own event lines, found by its text `,"key":` (an unescaped quote is always
// a delimiter in JSON, so that text cannot be inside a string): only that
// value is parsed. The first such member is taken, so `key` must come before
// any nested object that could have a member of the same name (an event's
// own object follows the flat envelope). Falls back to parsing the line.
const char* parse_json_member(std::string_view line, std::string_view key, JsonValue& out);

}  // namespace ms
