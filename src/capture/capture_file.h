// Capture files: classic pcap (micro- and nanosecond, either byte order)
// read directly (capture/pcap_file.h), pcapng and anything else through
// libpcap; several files merged into one stream in timestamp order.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/pcap_file.h"
#include "common/types.h"

namespace ms {

// A file that cannot be analysed; what() is one line naming file and cause.
class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RawPacket {
  TimeNs ts = 0;
  const uint8_t* data = nullptr;  // valid until the next call to next()
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
  int linktype = 0;
  int file = 0;
};

class CaptureReader {
 public:
  // Opens every file; throws CaptureError for the first that cannot be read
  // (missing, a directory, not a capture, an unsupported link type).
  explicit CaptureReader(const std::vector<std::string>& paths);
  ~CaptureReader();
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  // The next packet over all files in timestamp order; false at the end.
  bool next(RawPacket& out);

  uint64_t total_bytes() const { return total_bytes_; }
  // File bytes consumed so far (for progress).
  uint64_t bytes_read() const;
  // Warnings collected while reading: a file cut mid-packet, a read error.
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<std::string>& paths() const { return paths_; }
  int linktype(int file) const { return heads_[file].linktype; }

 private:
  struct Head {
    std::unique_ptr<PcapFile> direct;  // classic pcap, read directly
    pcap_t* p = nullptr;               // or libpcap, for everything else
    int linktype = 0;
    uint64_t size = 0;
    bool valid = false;  // ts/data/caplen/len hold an unread packet
    bool done = false;
    uint64_t packets = 0;
    TimeNs ts = 0;
    const uint8_t* data = nullptr;
    uint32_t caplen = 0;
    uint32_t len = 0;
  };
  void open_file(size_t i);
  // 1: a packet in h; 0: the end; -1: an error, err says which.
  int read_direct(Head& h, std::string& err);
  int read_libpcap(Head& h, std::string& err);
  void advance(int i);

  std::vector<std::string> paths_;
  std::vector<Head> heads_;
  std::vector<std::string> warnings_;
  uint64_t total_bytes_ = 0;
  int last_ = -1;
};

}  // namespace ms
