// Small readers of the JSON the exposure tables store (a list of strings per
// column): shared by the risk score, the report and the MDS2 comparison.
#pragma once

#include <string>
#include <vector>

#include "common/json_reader.h"

namespace ms::exposure {

// The strings of a JSON array, at most `cap` of them (a stored list is
// written by us, but a tampered database must not make a report unbounded).
inline std::vector<std::string> json_strings(const JsonValue* arr, size_t cap = 16) {
  std::vector<std::string> out;
  if (!arr || arr->type != JsonValue::kArray) return out;
  for (const JsonValue& v : arr->items) {
    if (v.type == JsonValue::kString && out.size() < cap) out.push_back(v.text);
  }
  return out;
}

// "a, b, c".
inline std::string join_list(const std::vector<std::string>& v) {
  std::string o;
  for (const std::string& s : v) o += (o.empty() ? "" : ", ") + s;
  return o;
}

}  // namespace ms::exposure
