// Capture files: open, validate, merge by timestamp.
#include "capture/capture_file.h"

#include <stdio_ext.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "decode/packet.h"

namespace ms {

namespace {

std::string link_name(int dlt) {
  const char* n = pcap_datalink_val_to_name(dlt);
  const char* d = pcap_datalink_val_to_description(dlt);
  std::string s = std::to_string(dlt);
  if (n) s += std::string(" (") + n + (d ? std::string(", ") + d : std::string()) + ")";
  return s;
}

}  // namespace

// A classic pcap file goes to PcapFile; anything else, or a file PcapFile
// cannot open, to libpcap, which also words the errors for bad files.
void CaptureReader::open_file(size_t i) {
  const std::string& path = paths_[i];
  Head& h = heads_[i];
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throw CaptureError(path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw CaptureError(path + ": is a directory, not a capture file");
  h.size = static_cast<uint64_t>(st.st_size);
  total_bytes_ += h.size;
  // Only regular files: opening a pipe twice would lose what it held.
  if (S_ISREG(st.st_mode)) h.direct = PcapFile::open(path);
  if (h.direct) {
    h.linktype = h.direct->linktype();
    return;
  }
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) throw CaptureError(path + ": " + std::strerror(errno));
  // libpcap reads through stdio; the default buffer (one page) means a
  // system call for every few packets.
  std::setvbuf(fp, nullptr, _IOFBF, 1 << 20);
  // libpcap reads each record with two fread calls; only the reader
  // thread touches this FILE, so stdio's per-call lock is waste.
  __fsetlocking(fp, FSETLOCKING_BYCALLER);
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p) {
    std::fclose(fp);
    std::string why = err;
    if (st.st_size == 0) why = "empty file";
    throw CaptureError(path + ": not a pcap or pcapng capture (" + why + ")");
  }
  h.p = p;
  h.linktype = pcap_datalink(p);
  if (!link_type_supported(h.linktype)) {
    throw CaptureError(path + ": unsupported link type " + link_name(h.linktype) +
                       "; medsentry reads Ethernet (with 802.1Q/QinQ), Linux cooked "
                       "SLL/SLL2, raw IPv4/IPv6 and BSD loopback (NULL/LOOP)");
  }
}

CaptureReader::CaptureReader(const std::vector<std::string>& paths) : paths_(paths) {
  heads_.resize(paths.size());
  try {
    for (size_t i = 0; i < paths.size(); ++i) {
      open_file(i);
      advance(static_cast<int>(i));
    }
  } catch (...) {
    for (Head& h : heads_) {
      if (h.p) pcap_close(h.p);
      h.p = nullptr;
    }
    throw;
  }
}

CaptureReader::~CaptureReader() {
  for (Head& h : heads_) {
    if (h.p) pcap_close(h.p);
  }
}

int CaptureReader::read_direct(Head& h, std::string& err) {
  pcapfmt::Record r;
  pcapfmt::Step s = h.direct->next(r, err);
  if (s != pcapfmt::Step::kPacket) return s == pcapfmt::Step::kEnd ? 0 : -1;
  h.ts = r.ts;
  h.data = r.data;
  h.caplen = r.caplen;
  h.len = r.wirelen;
  return 1;
}

int CaptureReader::read_libpcap(Head& h, std::string& err) {
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(h.p, &hdr, &data);
  if (rc != 1) {
    if (rc != PCAP_ERROR) return 0;
    err = pcap_geterr(h.p);
    return -1;
  }
  // pcapng timestamps are 64-bit with a per-interface resolution: a hostile
  // file can give seconds whose nanoseconds do not fit; those saturate.
  TimeNs ts;
  if (__builtin_mul_overflow(static_cast<TimeNs>(hdr->ts.tv_sec), kNsPerSec, &ts) ||
      __builtin_add_overflow(ts, static_cast<TimeNs>(hdr->ts.tv_usec), &ts)) {
    ts = hdr->ts.tv_sec < 0 ? INT64_MIN : INT64_MAX;
  }
  h.ts = ts;
  h.data = data;
  h.caplen = hdr->caplen;
  h.len = hdr->len;
  return 1;
}

void CaptureReader::advance(int i) {
  Head& h = heads_[i];
  h.valid = false;
  if (h.done) return;
  std::string err;
  int rc = h.direct ? read_direct(h, err) : read_libpcap(h, err);
  if (rc == 1) {
    h.valid = true;
    ++h.packets;
    return;
  }
  h.done = true;
  if (rc < 0 && err.find(std::strerror(EINTR)) == std::string::npos) {
    // A file cut mid-packet ("truncated dump file") or a damaged block:
    // keep what came before, like tcpdump. A read interrupted by SIGINT is
    // reported as the interruption, not here.
    warnings_.push_back(paths_[i] + ": " + err + "; analysed the " + std::to_string(h.packets) +
                        " packets before it");
  }
}

bool CaptureReader::next(RawPacket& out) {
  if (last_ >= 0) advance(last_);
  int best = -1;
  for (size_t i = 0; i < heads_.size(); ++i) {
    const Head& h = heads_[i];
    if (h.valid && (best < 0 || h.ts < heads_[best].ts)) best = static_cast<int>(i);
  }
  last_ = best;
  if (best < 0) return false;
  const Head& h = heads_[best];
  out.ts = h.ts;
  out.data = h.data;
  out.caplen = h.caplen;
  out.wirelen = h.len < h.caplen ? h.caplen : h.len;
  out.linktype = h.linktype;
  out.file = best;
  return true;
}

uint64_t CaptureReader::bytes_read() const {
  uint64_t n = 0;
  for (const Head& h : heads_) {
    if (h.done) {
      n += h.size;
    } else if (h.direct) {
      n += h.direct->offset();
    } else if (h.p) {
      long pos = std::ftell(pcap_file(h.p));
      if (pos > 0) n += static_cast<uint64_t>(pos);
    }
  }
  return n;
}

}  // namespace ms
