// Directories for files only their owner may read (the PHI key, the device
// inventory): every missing component of `dir` is created with mode 0700.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ms {

// Throws std::runtime_error "DIR: cannot create directory<purpose>: reason".
inline void make_private_dirs(const std::string& dir, const std::string& purpose) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!cur.empty() && mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::runtime_error(cur + ": cannot create directory" + purpose + ": " + std::strerror(errno));
      }
    }
    if (i < dir.size()) cur += dir[i];
  }
}

}  // namespace ms
