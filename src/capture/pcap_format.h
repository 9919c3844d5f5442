// Pure parser for classic pcap files (the tcpdump/libpcap savefile format,
// pcap-savefile(5)): the 24-byte file header and the 16-byte record headers,
// over a byte span, with no I/O. capture/pcap_file.h feeds it a file; what it
// does not recognise (pcapng, old versions, other link types) libpcap reads.
//
// It gives what libpcap 1.10 gives for the files it accepts, packet for
// packet and message for message (sf-pcap.c pcap_check_header and
// pcap_next_packet): the same link type, time stamps, capped lengths and the
// same "truncated dump file" / "invalid packet capture length" errors, so a
// run reads the same whichever path a file takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/types.h"

namespace ms::pcapfmt {

inline constexpr size_t kFileHeaderLen = 24;
inline constexpr size_t kRecordHeaderLen = 16;
// libpcap's MAXIMUM_SNAPLEN (pcap-int.h), the largest record it accepts for
// every link type medsentry reads: a record claiming more is an error.
inline constexpr uint32_t kMaxCaplen = 262144;
// The most bytes one record can take in a file.
inline constexpr size_t kMaxRecordLen = kRecordHeaderLen + kMaxCaplen;

struct FileFormat {
  bool swapped = false;  // written in the other byte order
  bool nano = false;     // record fractions are nanoseconds, not microseconds
  int linktype = 0;      // the DLT value, as pcap_datalink() gives it
  uint32_t snaplen = 0;  // the header's snapshot length, as libpcap adjusts it:
                         // 1 .. INT32_MAX, records are cut to it
};

// Parses a file header this parser handles: magic a1b2c3d4 or a1b23c4d in
// either byte order, version 2.4, a link type medsentry decodes with no
// extension bits, and, for a byte-swapped file, no link-layer pseudo-header
// that libpcap rewrites (Linux cooked captures: CAN ids). False for anything
// else, including a short span: the caller then hands the file to libpcap.
bool parse_file_header(const uint8_t* p, size_t n, FileFormat& out);

struct Record {
  TimeNs ts = 0;
  const uint8_t* data = nullptr;  // inside the span given to next_record
  uint32_t caplen = 0;            // bytes at data: at most the snapshot length
  uint32_t wirelen = 0;           // the record's original length, as written
  size_t size = 0;                // bytes the record takes in the file
};

enum class Step {
  kPacket,    // out holds a record of out.size bytes
  kEnd,       // no bytes left at the end of the file
  kNeedMore,  // the span ends inside a record and more of the file follows
  kBad,       // damaged or cut: err says why, as libpcap words it
};

// Reads the record at the start of [p, p + n). at_eof says that the file
// ends with the span: a record cut there is an error, not kNeedMore. A record
// never needs more than kMaxRecordLen bytes.
Step next_record(const FileFormat& f, const uint8_t* p, size_t n, bool at_eof, Record& out,
                 std::string& err);

}  // namespace ms::pcapfmt
