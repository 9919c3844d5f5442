// Progress bar drawing.
#include "app/progress.h"

#include <cstdio>

namespace ms {

Progress::Progress(uint64_t total_bytes, bool enabled)
    : total_(total_bytes), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(uint64_t bytes, uint64_t packets) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double frac = total_ ? static_cast<double>(bytes) / static_cast<double>(total_) : 0.0;
  if (frac > 1.0) frac = 1.0;
  constexpr int kWidth = 30;
  char bar[kWidth + 1];
  int fill = static_cast<int>(frac * kWidth);
  for (int i = 0; i < kWidth; ++i) bar[i] = i < fill ? '#' : '.';
  bar[kWidth] = 0;
  double pps = secs > 0 ? static_cast<double>(packets) / secs : 0;
  double left = frac > 0.001 ? secs / frac - secs : 0;
  std::fprintf(stderr, "\r[%s] %5.1f%%  %.1f/%.1f MB  %.0f pkt/s  %.0fs left   ", bar, frac * 100,
               static_cast<double>(bytes) / 1e6, static_cast<double>(total_) / 1e6, pps, left);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::done() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r%*s\r", 90, "");
    std::fflush(stderr);
  }
}

}  // namespace ms
