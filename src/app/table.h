// The aligned tables of the read commands (inventory, alerts): a header, one
// line per row, columns two spaces apart, over-long cells cut with "~".
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace ms {

// A cell's text on one line: control characters (a device's strings may
// carry any byte) become spaces, so no value can move the terminal's cursor.
inline std::string printable(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return s;
}

// Display width: code points, not bytes.
inline size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

inline void print_table(std::ostream& os, const std::vector<std::string>& heads, std::vector<std::vector<std::string>> rows,
                        size_t max_cell) {
  const size_t cols = heads.size();
  std::vector<size_t> w(cols);
  for (size_t i = 0; i < cols; ++i) w[i] = display_width(heads[i]);
  for (auto& r : rows) {
    r.resize(cols);
    for (size_t i = 0; i < cols; ++i) {
      if (display_width(r[i]) > max_cell) {
        size_t cut = max_cell - 1, at = 0, seen = 0;
        while (at < r[i].size() && seen < cut) {  // cut on a code point boundary
          ++at;
          while (at < r[i].size() && (static_cast<unsigned char>(r[i][at]) & 0xC0) == 0x80) ++at;
          ++seen;
        }
        r[i] = r[i].substr(0, at) + "~";
      }
      w[i] = std::max(w[i], display_width(r[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t i = 0; i < cols; ++i) {
      s += r[i];
      if (i + 1 < cols) s += std::string(w[i] - display_width(r[i]) + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    os << s << "\n";
  };
  line(heads);
  for (const auto& r : rows) line(r);
}

}  // namespace ms
