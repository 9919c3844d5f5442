// A classic pcap file read straight into one buffer: large read()s, records
// parsed in place by capture/pcap_format.h, handed out as pointers into the
// buffer. One copy (the kernel's) where libpcap makes three (kernel to stdio,
// stdio to its packet buffer, plus its per-record fread calls).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "capture/pcap_format.h"

namespace ms {

class PcapFile {
 public:
  // The file at path when it is a regular file starting with a header that
  // pcapfmt::parse_file_header accepts; nullptr for anything else (pcapng,
  // a pipe, a directory, an unreadable file), which libpcap then reads or
  // reports as before.
  static std::unique_ptr<PcapFile> open(const std::string& path);
  ~PcapFile();
  PcapFile(const PcapFile&) = delete;
  PcapFile& operator=(const PcapFile&) = delete;

  // The next record (kPacket), the end (kEnd) or why the file stops here
  // (kBad, err worded as libpcap words it). out.data is valid until the next
  // call.
  pcapfmt::Step next(pcapfmt::Record& out, std::string& err);

  int linktype() const { return fmt_.linktype; }
  // File bytes consumed so far.
  uint64_t offset() const { return buf_offset_ + pos_; }

 private:
  PcapFile(int fd, size_t capacity);
  bool fill(std::string& err);

  int fd_;
  pcapfmt::FileFormat fmt_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_;
  size_t pos_ = 0;  // next unread byte in buf_
  size_t end_ = 0;  // bytes held in buf_
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
};

}  // namespace ms
