// Compression of finished event files for `medsentry monitor --rotate-zstd`:
// Debian's zstd program (no library to link, and the compression runs in a
// process of its own, off the writer's thread), one file at a time, a
// bounded queue of files waiting. A file the queue has no room for, or one
// left when the sensor stops, stays uncompressed: nothing is lost.
#pragma once

#include <sys/types.h>

#include <deque>
#include <string>

namespace ms {

class SegmentCompressor {
 public:
  ~SegmentCompressor();  // waits for the running compression
  // Queues `path` (becomes path.zst; zstd removes the original on success).
  void add(const std::string& path);
  // Reaps a finished compression and starts the next; never blocks.
  void poll();

 private:
  void start_next();
  static constexpr size_t kMaxQueued = 16;
  std::deque<std::string> queue_;
  pid_t child_ = -1;
};

}  // namespace ms
