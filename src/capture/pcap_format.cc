// Classic pcap file and record headers (pcap-savefile(5)); see pcap_format.h.
#include "capture/pcap_format.h"

#include <cstring>

#include "decode/packet.h"

namespace ms::pcapfmt {

namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
// LINKTYPE_RAW in a file is DLT_RAW (12 on Linux) to pcap_datalink()
// (libpcap pcap-common.c linktype_to_dlt).
constexpr uint32_t kLinktypeRaw = 101;

uint32_t load32(const uint8_t* p, bool swapped) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}

uint16_t load16(const uint8_t* p, bool swapped) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return swapped ? __builtin_bswap16(v) : v;
}

// The DLT for a header's link type, or -1 where this parser leaves the file
// to libpcap: types medsentry does not decode (libpcap names them in its
// error), extension bits in the upper six bits, and byte-swapped Linux
// cooked captures, whose CAN pseudo-headers libpcap swaps in place.
int dlt_for(uint32_t linktype, bool swapped) {
  switch (linktype) {
    case kLinkNull: case kLinkEthernet: case kLinkRawAlt: case kLinkRawAlt2: case kLinkLoop:
    case kLinkIpv4: case kLinkIpv6:
      return static_cast<int>(linktype);
    case kLinktypeRaw:
      return kLinkRawAlt;
    case kLinkSll: case kLinkSll2:
      return swapped ? -1 : static_cast<int>(linktype);
    default:
      return -1;
  }
}

}  // namespace

bool parse_file_header(const uint8_t* p, size_t n, FileFormat& out) {
  if (n < kFileHeaderLen) return false;
  uint32_t magic = load32(p, false);
  bool swapped = false;
  if (magic != kMagicMicro && magic != kMagicNano) {
    magic = __builtin_bswap32(magic);
    if (magic != kMagicMicro && magic != kMagicNano) return false;
    swapped = true;
  }
  // Version 2.4 only: earlier minors may have caplen and len interchanged,
  // which libpcap guesses at (sf-pcap.c lengths_swapped).
  if (load16(p + 4, swapped) != 2 || load16(p + 6, swapped) != 4) return false;
  int dlt = dlt_for(load32(p + 20, swapped), swapped);
  if (dlt < 0) return false;
  uint32_t snaplen = load32(p + 16, swapped);
  // libpcap 1.10 keeps the header's value as an int and replaces only one
  // that is not positive; a larger one stays (and names the error when a
  // record passes both it and kMaxCaplen).
  if (static_cast<int32_t>(snaplen) <= 0) snaplen = kMaxCaplen;
  out.swapped = swapped;
  out.nano = magic == kMagicNano;
  out.linktype = dlt;
  out.snaplen = snaplen;
  return true;
}

Step next_record(const FileFormat& f, const uint8_t* p, size_t n, bool at_eof, Record& out,
                 std::string& err) {
  if (n < kRecordHeaderLen) {
    if (!at_eof) return Step::kNeedMore;
    if (n == 0) return Step::kEnd;
    err = "truncated dump file; tried to read 16 header bytes, only got " + std::to_string(n);
    return Step::kBad;
  }
  // libpcap 1.10 reads seconds and fractions as signed 32-bit (struct
  // pcap_timeval) in a file of this machine's byte order, but unsigned in a
  // byte-swapped one (its SWAPLONG yields an unsigned value). Kept as it is,
  // so a packet's time does not depend on which reader read it. Neither
  // product can overflow 64 bits.
  uint32_t sec_bits = load32(p, f.swapped), frac_bits = load32(p + 4, f.swapped);
  TimeNs sec = f.swapped ? TimeNs{sec_bits} : TimeNs{static_cast<int32_t>(sec_bits)};
  TimeNs frac = f.swapped ? TimeNs{frac_bits} : TimeNs{static_cast<int32_t>(frac_bits)};
  uint32_t caplen = load32(p + 8, f.swapped);
  uint32_t len = load32(p + 12, f.swapped);
  if (caplen > kMaxCaplen) {
    err = "invalid packet capture length " + std::to_string(caplen) + ", bigger than " +
          (caplen > f.snaplen ? "snaplen of " + std::to_string(f.snaplen)
                              : "maximum of " + std::to_string(kMaxCaplen));
    return Step::kBad;
  }
  size_t body = n - kRecordHeaderLen;
  if (body < caplen) {
    if (!at_eof) return Step::kNeedMore;
    // libpcap reads the first snaplen bytes of an over-long record, then the
    // rest to discard it, and names the read that fell short.
    uint32_t wanted = caplen > f.snaplen && body < f.snaplen ? f.snaplen : caplen;
    err = "truncated dump file; tried to read " + std::to_string(wanted) +
          " captured bytes, only got " + std::to_string(body);
    return Step::kBad;
  }
  out.ts = sec * kNsPerSec + frac * (f.nano ? 1 : 1000);
  out.data = p + kRecordHeaderLen;
  // A record longer than the snapshot length is cut to it, as libpcap does,
  // so no consumer sees more than the header promised.
  out.caplen = caplen > f.snaplen ? f.snaplen : caplen;
  out.wirelen = len;
  out.size = kRecordHeaderLen + caplen;
  return Step::kPacket;
}

}  // namespace ms::pcapfmt
