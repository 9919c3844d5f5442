// A one-line progress bar on stderr: bytes done, packets/s, time left.
// Drawn only when enabled (stderr is a terminal), at most 5 times a second.
#pragma once

#include <chrono>
#include <cstdint>

namespace ms {

class Progress {
 public:
  Progress(uint64_t total_bytes, bool enabled);
  void update(uint64_t bytes, uint64_t packets);
  void done();

 private:
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace ms
