// Classic pcap files through read() into one buffer; see pcap_file.h and the
// issue 14 section of docs/decisions.md for why read() and not mmap.
#include "capture/pcap_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ms {

namespace {

// Three of the largest records fit, so a refill moves at most one partial
// record; 1 MiB reads cost one system call per ~1,000 typical packets and
// stay within the L2 cache the decoder reads them from.
constexpr size_t kBufferLen = size_t{1} << 20;
static_assert(kBufferLen >= 3 * pcapfmt::kMaxRecordLen);

}  // namespace

std::unique_ptr<PcapFile> PcapFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  // Reading front to back: a larger kernel read-ahead.
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<PcapFile> f(new PcapFile(fd, kBufferLen));
  std::string err;
  if (!f->fill(err) || !pcapfmt::parse_file_header(f->buf_.get(), f->end_, f->fmt_)) return nullptr;
  f->pos_ = pcapfmt::kFileHeaderLen;
  return f;
}

PcapFile::PcapFile(int fd, size_t capacity) : fd_(fd), buf_(new uint8_t[capacity]), cap_(capacity) {}

PcapFile::~PcapFile() { ::close(fd_); }

// Moves the unread tail to the front and reads until the buffer is full or
// the file ends.
bool PcapFile::fill(std::string& err) {
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    buf_offset_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  while (end_ < cap_ && !eof_) {
    ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
    if (n < 0) {
      // Worded as libpcap's pcap_fmt_errmsg_for_errno; an interruption
      // (EINTR) is recognised by the caller from strerror's text.
      err = std::string("error reading dump file: ") + std::strerror(errno);
      return false;
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
  }
  return true;
}

pcapfmt::Step PcapFile::next(pcapfmt::Record& out, std::string& err) {
  for (;;) {
    pcapfmt::Step s = pcapfmt::next_record(fmt_, buf_.get() + pos_, end_ - pos_, eof_, out, err);
    if (s == pcapfmt::Step::kPacket) {
      pos_ += out.size;
      return s;
    }
    if (s != pcapfmt::Step::kNeedMore) return s;
    // The buffer holds at least one whole record of any size once filled,
    // so each refill makes progress.
    if (!fill(err)) return pcapfmt::Step::kBad;
  }
}

}  // namespace ms
