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

CaptureReader::CaptureReader(const std::vector<std::string>& paths) : paths_(paths) {
  heads_.resize(paths.size());
  try {
    for (size_t i = 0; i < paths.size(); ++i) {
      const std::string& path = paths[i];
      struct stat st;
      if (stat(path.c_str(), &st) != 0) throw CaptureError(path + ": " + std::strerror(errno));
      if (S_ISDIR(st.st_mode)) throw CaptureError(path + ": is a directory, not a capture file");
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
      Head& h = heads_[i];
      h.p = p;
      h.linktype = pcap_datalink(p);
      h.size = static_cast<uint64_t>(st.st_size);
      total_bytes_ += h.size;
      if (!link_type_supported(h.linktype)) {
        throw CaptureError(path + ": unsupported link type " + link_name(h.linktype) +
                           "; medsentry reads Ethernet (with 802.1Q/QinQ), Linux cooked "
                           "SLL/SLL2, raw IPv4/IPv6 and BSD loopback (NULL/LOOP)");
      }
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

void CaptureReader::advance(int i) {
  Head& h = heads_[i];
  h.valid = false;
  if (h.done) return;
  int rc = pcap_next_ex(h.p, &h.hdr, &h.data);
  if (rc == 1) {
    h.valid = true;
    ++h.packets;
    return;
  }
  h.done = true;
  if (rc == PCAP_ERROR && std::strstr(pcap_geterr(h.p), std::strerror(EINTR)) == nullptr) {
    // libpcap reports a file cut mid-packet ("truncated dump file") or a
    // damaged block as an error: keep what came before, like tcpdump. A read
    // interrupted by SIGINT is reported as the interruption, not here.
    warnings_.push_back(paths_[i] + ": " + pcap_geterr(h.p) + "; analysed the " +
                        std::to_string(h.packets) + " packets before it");
  }
}

bool CaptureReader::next(RawPacket& out) {
  if (last_ >= 0) advance(last_);
  int best = -1;
  TimeNs best_ts = 0;
  for (size_t i = 0; i < heads_.size(); ++i) {
    const Head& h = heads_[i];
    if (!h.valid) continue;
    // pcapng timestamps are 64-bit with a per-interface resolution: a hostile
    // file can give seconds whose nanoseconds do not fit; those saturate.
    TimeNs ts;
    if (__builtin_mul_overflow(static_cast<TimeNs>(h.hdr->ts.tv_sec), kNsPerSec, &ts) ||
        __builtin_add_overflow(ts, static_cast<TimeNs>(h.hdr->ts.tv_usec), &ts)) {
      ts = h.hdr->ts.tv_sec < 0 ? INT64_MIN : INT64_MAX;
    }
    if (best < 0 || ts < best_ts) {
      best = static_cast<int>(i);
      best_ts = ts;
    }
  }
  last_ = best;
  if (best < 0) return false;
  const Head& h = heads_[best];
  out.ts = best_ts;
  out.data = h.data;
  out.caplen = h.hdr->caplen;
  out.wirelen = h.hdr->len < h.hdr->caplen ? h.hdr->caplen : h.hdr->len;
  out.linktype = h.linktype;
  out.file = best;
  return true;
}

uint64_t CaptureReader::bytes_read() const {
  uint64_t n = 0;
  for (const Head& h : heads_) {
    if (h.done) {
      n += h.size;
    } else if (h.p) {
      long pos = std::ftell(pcap_file(h.p));
      if (pos > 0) n += static_cast<uint64_t>(pos);
    }
  }
  return n;
}

}  // namespace ms
