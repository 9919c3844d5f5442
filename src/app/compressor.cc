// Finished event files through zstd (compressor.h).
#include "app/compressor.h"

#include <spawn.h>
#include <sys/wait.h>

#include <iostream>
#include <vector>

extern char** environ;

namespace ms {

SegmentCompressor::~SegmentCompressor() {
  if (child_ > 0) {
    int st = 0;
    waitpid(child_, &st, 0);
  }
}

void SegmentCompressor::add(const std::string& path) {
  if (queue_.size() >= kMaxQueued) {
    std::cerr << "medsentry: warning: " << path << ": compression queue full; left uncompressed\n";
    return;
  }
  queue_.push_back(path);
  poll();
}

void SegmentCompressor::poll() {
  if (child_ > 0) {
    int st = 0;
    pid_t r = waitpid(child_, &st, WNOHANG);
    if (r == 0) return;  // still running
    if (r == child_ && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
      std::cerr << "medsentry: warning: zstd failed on a rotated file; it stays uncompressed\n";
    }
    child_ = -1;
  }
  start_next();
}

void SegmentCompressor::start_next() {
  while (child_ < 0 && !queue_.empty()) {
    std::string path = queue_.front();
    queue_.pop_front();
    // No shell: the path is an argument. -q quiet, --rm removes the original
    // once the .zst is complete, -T1 one thread (the sensor needs the cores).
    std::vector<std::string> args = {"zstd", "-q", "--rm", "-T1", "-3", "--", path};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawnp(&pid, "zstd", nullptr, nullptr, argv.data(), environ) != 0) {
      std::cerr << "medsentry: warning: cannot run zstd (Debian package zstd); " << path << " stays uncompressed\n";
      continue;
    }
    child_ = pid;
  }
}

}  // namespace ms
