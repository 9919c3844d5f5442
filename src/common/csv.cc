#include "common/csv.h"

#include <stdexcept>

namespace ms {

std::vector<std::vector<std::string>> parse_csv(std::string_view text, const std::string& name) {
  std::vector<std::vector<std::string>> rows;
  size_t i = 0;
  int line = 0;
  while (i < text.size()) {
    ++line;
    if (text[i] == '#' || text[i] == '\n') {
      size_t e = text.find('\n', i);
      i = e == std::string_view::npos ? text.size() : e + 1;
      continue;
    }
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, was_quoted = false;
    for (;;) {
      if (i >= text.size()) {
        if (quoted) throw std::runtime_error(name + ":" + std::to_string(line) + ": unterminated quote");
        row.push_back(field);
        break;
      }
      char c = text[i++];
      if (quoted) {
        if (c == '"') {
          if (i < text.size() && text[i] == '"') {
            field += '"';
            ++i;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == ',') {
        row.push_back(field);
        field.clear();
        was_quoted = false;
      } else if (c == '\n') {
        row.push_back(field);
        break;
      } else if (c != '\r') {
        field += c;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ms
