// Fuzz target for the classic pcap parser (src/capture/pcap_format.h).
// Besides never reading outside the input, two properties are checked and
// a violation aborts:
// - a record read from a window that ends early (more of the file to come)
//   is either "need more" or exactly the record read from the whole input;
// - the parser gives what libpcap gives for the same bytes (it replaced
//   libpcap for these files; output must not depend on which read them):
//   the same link type, packets, time stamps, lengths and error text.
//
// fuzz-replay: tests/fuzz/regressions_pcap_file/
// fuzz-replay: ../shared/corpus/nDPI/pcap/dns.pcap ../shared/corpus/tapirx/testdata/HL7-ADT.pcap
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "capture/pcap_format.h"

namespace {

using ms::pcapfmt::Record;
using ms::pcapfmt::Step;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same(const Record& a, const Record& b) {
  return a.ts == b.ts && a.data == b.data && a.caplen == b.caplen && a.wirelen == b.wirelen &&
         a.size == b.size;
}

// libpcap's next packet, in the parser's terms; kBad with its message.
Step libpcap_next(pcap_t* p, Record& out, std::string& err) {
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  int rc = pcap_next_ex(p, &h, &d);
  if (rc == PCAP_ERROR) {
    err = pcap_geterr(p);
    return Step::kBad;
  }
  if (rc != 1) return Step::kEnd;
  out.ts = static_cast<ms::TimeNs>(h->ts.tv_sec) * ms::kNsPerSec + h->ts.tv_usec;
  out.caplen = h->caplen;
  out.wirelen = h->len;
  out.data = d;
  return Step::kPacket;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  ms::pcapfmt::FileFormat f;
  if (!ms::pcapfmt::parse_file_header(data, size, f)) return 0;
  check(f.snaplen > 0 && f.snaplen <= INT32_MAX);

  FILE* fp = fmemopen(const_cast<uint8_t*>(data), size, "rb");
  if (!fp) return 0;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* lib = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!lib) {
    std::fclose(fp);
    __builtin_trap();  // the parser accepted a header libpcap refuses
  }
  check(pcap_datalink(lib) == f.linktype);

  size_t pos = ms::pcapfmt::kFileHeaderLen;
  for (int n = 0; n < 100000; ++n) {
    Record r, early, expect;
    std::string err, early_err, lib_err;
    Step s = ms::pcapfmt::next_record(f, data + pos, size - pos, true, r, err);
    // The same record from a window cut short: need more, or the same.
    size_t cut = (size - pos) / 2;
    Step e = ms::pcapfmt::next_record(f, data + pos, cut, false, early, early_err);
    check(e == Step::kNeedMore || (e == s && (s != Step::kPacket || same(early, r))));
    check(e != Step::kNeedMore || cut < ms::pcapfmt::kMaxRecordLen);

    Step l = libpcap_next(lib, expect, lib_err);
    check(l == s);
    if (s == Step::kBad) check(err == lib_err);
    if (s != Step::kPacket) break;
    check(r.ts == expect.ts && r.caplen == expect.caplen && r.wirelen == expect.wirelen);
    check(r.caplen <= f.snaplen && r.caplen <= ms::pcapfmt::kMaxCaplen && r.size <= size - pos && r.size <= ms::pcapfmt::kMaxRecordLen);
    check(std::memcmp(r.data, expect.data, r.caplen) == 0);
    pos += r.size;
  }
  pcap_close(lib);  // closes fp
  return 0;
}
