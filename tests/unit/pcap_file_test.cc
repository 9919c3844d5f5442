// Classic pcap read directly (capture/pcap_format.h, capture/pcap_file.h):
// both byte orders, micro- and nanoseconds, cut and damaged records, lengths
// past the snapshot length and past any sane size, empty and header-only
// files. Besides the values each file was built with, every file is also
// read by libpcap itself, and CaptureReader must give what libpcap gives,
// packet for packet and warning for warning: it replaced libpcap for these
// files and the output must not change.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "capture/capture_file.h"
#include "capture/pcap_format.h"

namespace {

using ms::pcapfmt::Step;

struct Rec {
  int32_t sec = 0, frac = 0;
  uint32_t caplen = 0, len = 0;
  size_t body = SIZE_MAX;  // bytes written after the header; SIZE_MAX: caplen
};

void put32(std::string& s, uint32_t v, bool swapped) {
  if (swapped) v = __builtin_bswap32(v);
  s.append(reinterpret_cast<const char*>(&v), 4);
}

std::string file_header(bool swapped, bool nano, uint32_t snaplen, uint32_t linktype,
                        uint16_t minor = 4) {
  std::string s;
  put32(s, nano ? 0xa1b23c4d : 0xa1b2c3d4, swapped);
  uint16_t ver[2] = {2, minor};
  for (uint16_t& v : ver) v = swapped ? __builtin_bswap16(v) : v;
  s.append(reinterpret_cast<const char*>(ver), 4);
  put32(s, 0, swapped);
  put32(s, 0, swapped);
  put32(s, snaplen, swapped);
  put32(s, linktype, swapped);
  return s;
}

// A record whose payload bytes count up from seed, so a shifted or reused
// buffer shows.
void add_record(std::string& s, const Rec& r, bool swapped, uint8_t seed) {
  put32(s, static_cast<uint32_t>(r.sec), swapped);
  put32(s, static_cast<uint32_t>(r.frac), swapped);
  put32(s, r.caplen, swapped);
  put32(s, r.len, swapped);
  size_t n = r.body == SIZE_MAX ? r.caplen : r.body;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(seed + i));
}

std::string build(bool swapped, bool nano, uint32_t snaplen, const std::vector<Rec>& recs,
                  uint32_t linktype = 1) {
  std::string s = file_header(swapped, nano, snaplen, linktype);
  for (size_t i = 0; i < recs.size(); ++i) add_record(s, recs[i], swapped, static_cast<uint8_t>(i * 17));
  return s;
}

class TempFiles {
 public:
  TempFiles() {
    char tmpl[] = "/tmp/ms_pcap_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempFiles() {
    for (const std::string& p : files_) std::remove(p.c_str());
    rmdir(dir_.c_str());
  }
  std::string write(const std::string& bytes) {
    std::string p = dir_ + "/f" + std::to_string(files_.size()) + ".pcap";
    FILE* f = std::fopen(p.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    files_.push_back(p);
    return p;
  }

 private:
  std::string dir_;
  std::vector<std::string> files_;
};

struct Pkt {
  ms::TimeNs ts;
  uint32_t caplen, wirelen;
  std::string data;
  bool operator==(const Pkt&) const = default;
};

struct Read {
  std::vector<Pkt> pkts;
  std::vector<std::string> warnings;
  int linktype = -1;
};

Read read_reader(const std::string& path) {
  Read r;
  ms::CaptureReader reader({path});
  r.linktype = reader.linktype(0);
  ms::RawPacket p;
  while (reader.next(p)) {
    r.pkts.push_back({p.ts, p.caplen, p.wirelen,
                      std::string(reinterpret_cast<const char*>(p.data), p.caplen)});
  }
  r.warnings = reader.warnings();
  return r;
}

// The oracle: libpcap itself, with CaptureReader's time stamp and length
// rules and its warning wording.
Read read_libpcap(const std::string& path) {
  Read r;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p) {
    r.warnings.push_back(std::string("open: ") + err);
    return r;
  }
  r.linktype = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* d;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
    r.pkts.push_back({static_cast<ms::TimeNs>(h->ts.tv_sec) * ms::kNsPerSec + h->ts.tv_usec, h->caplen,
                      h->len < h->caplen ? h->caplen : h->len,
                      std::string(reinterpret_cast<const char*>(d), h->caplen)});
  }
  if (rc == PCAP_ERROR) {
    r.warnings.push_back(path + ": " + pcap_geterr(p) + "; analysed the " + std::to_string(r.pkts.size()) +
                         " packets before it");
  }
  pcap_close(p);
  return r;
}

void expect_same_as_libpcap(const std::string& path) {
  Read a = read_reader(path), b = read_libpcap(path);
  EXPECT_EQ(a.linktype, b.linktype);
  ASSERT_EQ(a.pkts.size(), b.pkts.size());
  for (size_t i = 0; i < a.pkts.size(); ++i) EXPECT_EQ(a.pkts[i], b.pkts[i]) << "packet " << i;
  EXPECT_EQ(a.warnings, b.warnings);
}

std::vector<Rec> three_records() {
  return {{1700000000, 250, 60, 60}, {1700000001, 999999, 42, 1514}, {-5, -7, 0, 0}};
}

TEST(PcapFormat, BothByteOrdersMicroAndNanoseconds) {
  TempFiles tmp;
  for (bool swapped : {false, true}) {
    for (bool nano : {false, true}) {
      std::string bytes = build(swapped, nano, 65535, three_records());
      ms::pcapfmt::FileFormat f;
      ASSERT_TRUE(ms::pcapfmt::parse_file_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), f));
      EXPECT_EQ(f.swapped, swapped);
      EXPECT_EQ(f.nano, nano);
      EXPECT_EQ(f.linktype, 1);
      EXPECT_EQ(f.snaplen, 65535u);
      std::string path = tmp.write(bytes);
      Read r = read_reader(path);
      ASSERT_EQ(r.pkts.size(), 3u);
      int64_t unit = nano ? 1 : 1000;
      EXPECT_EQ(r.pkts[0].ts, 1700000000LL * ms::kNsPerSec + 250 * unit);
      EXPECT_EQ(r.pkts[1].ts, 1700000001LL * ms::kNsPerSec + 999999 * unit);
      // libpcap 1.10 reads the fields signed in this machine's byte order
      // (before 1970 stays before) and unsigned in the other.
      if (swapped) {
        EXPECT_EQ(r.pkts[2].ts, 4294967291LL * ms::kNsPerSec + 4294967289LL * unit);
      } else {
        EXPECT_EQ(r.pkts[2].ts, -5LL * ms::kNsPerSec - 7 * unit);
      }
      EXPECT_EQ(r.pkts[1].caplen, 42u);
      EXPECT_EQ(r.pkts[1].wirelen, 1514u);
      EXPECT_EQ(static_cast<uint8_t>(r.pkts[1].data[0]), 17);
      EXPECT_TRUE(r.warnings.empty());
      expect_same_as_libpcap(path);
    }
  }
}

TEST(PcapFormat, TruncatedLastRecord) {
  TempFiles tmp;
  for (bool swapped : {false, true}) {
    std::string whole = build(swapped, false, 65535, three_records());
    // Cut inside the second record's data, then inside the third's header.
    size_t second_data = 24 + 16 + 60 + 16;
    std::string in_data = whole.substr(0, second_data + 10);
    std::string in_header = whole.substr(0, whole.size() - 5);
    std::string path = tmp.write(in_data);
    Read r = read_reader(path);
    ASSERT_EQ(r.pkts.size(), 1u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0], path + ": truncated dump file; tried to read 42 captured bytes, only got 10; "
                                    "analysed the 1 packets before it");
    expect_same_as_libpcap(path);
    path = tmp.write(in_header);
    r = read_reader(path);
    ASSERT_EQ(r.pkts.size(), 2u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("tried to read 16 header bytes, only got 11"), std::string::npos);
    expect_same_as_libpcap(path);
  }
  // The pure parser: a cut record is only an error at the end of the file.
  std::string whole = build(false, true, 65535, three_records());
  const auto* p = reinterpret_cast<const uint8_t*>(whole.data()) + 24;
  ms::pcapfmt::FileFormat f;
  ASSERT_TRUE(ms::pcapfmt::parse_file_header(reinterpret_cast<const uint8_t*>(whole.data()), 24, f));
  ms::pcapfmt::Record rec;
  std::string err;
  EXPECT_EQ(ms::pcapfmt::next_record(f, p, 16 + 59, false, rec, err), Step::kNeedMore);
  EXPECT_EQ(ms::pcapfmt::next_record(f, p, 7, false, rec, err), Step::kNeedMore);
  EXPECT_EQ(ms::pcapfmt::next_record(f, p, 16 + 59, true, rec, err), Step::kBad);
  EXPECT_EQ(err, "truncated dump file; tried to read 60 captured bytes, only got 59");
  EXPECT_EQ(ms::pcapfmt::next_record(f, p, 16 + 60, true, rec, err), Step::kPacket);
  EXPECT_EQ(rec.size, 76u);
  EXPECT_EQ(ms::pcapfmt::next_record(f, p, 0, true, rec, err), Step::kEnd);
}

TEST(PcapFormat, CaplenPastSnaplenIsCutToIt) {
  TempFiles tmp;
  for (bool swapped : {false, true}) {
    // 100 bytes written where the header promised at most 64: the consumer
    // sees 64 and the next record is still found.
    std::vector<Rec> recs = {{10, 0, 100, 120}, {11, 0, 30, 30}};
    std::string bytes = build(swapped, false, 64, recs);
    std::string path = tmp.write(bytes);
    Read r = read_reader(path);
    ASSERT_EQ(r.pkts.size(), 2u);
    EXPECT_EQ(r.pkts[0].caplen, 64u);
    EXPECT_EQ(r.pkts[0].wirelen, 120u);
    EXPECT_EQ(r.pkts[1].caplen, 30u);
    EXPECT_EQ(static_cast<uint8_t>(r.pkts[1].data[0]), 17);
    EXPECT_TRUE(r.warnings.empty());
    expect_same_as_libpcap(path);
    // Cut before the snapshot length, then between it and the record's end:
    // libpcap names a different read in each case.
    for (size_t keep : {24 + 16 + 50, 24 + 16 + 80}) {
      path = tmp.write(bytes.substr(0, keep));
      r = read_reader(path);
      EXPECT_TRUE(r.pkts.empty());
      ASSERT_EQ(r.warnings.size(), 1u);
      std::string want = keep < 24 + 16 + 64 ? "tried to read 64 captured bytes, only got 50"
                                            : "tried to read 100 captured bytes, only got 80";
      EXPECT_NE(r.warnings[0].find(want), std::string::npos) << r.warnings[0];
      expect_same_as_libpcap(path);
    }
  }
}

TEST(PcapFormat, HugeCaplenIsAnErrorNotAnAllocation) {
  TempFiles tmp;
  for (uint32_t caplen : {0xFFFFFFF0u, ms::pcapfmt::kMaxCaplen + 1}) {
    std::vector<Rec> recs = {{1, 0, 20, 20}, {2, 0, caplen, caplen, 8}};
    std::string path = tmp.write(build(false, false, 0, recs));
    Read r = read_reader(path);
    ASSERT_EQ(r.pkts.size(), 1u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("invalid packet capture length " + std::to_string(caplen) +
                                 ", bigger than snaplen of 262144"),
              std::string::npos)
        << r.warnings[0];
    expect_same_as_libpcap(path);
  }
  // A header snapshot length past the maximum is kept (libpcap 1.10), and
  // names the error for a record longer than it; one between the two limits
  // is refused against the maximum.
  for (uint32_t caplen : {400000u, ms::pcapfmt::kMaxCaplen + 1}) {
    std::string path = tmp.write(build(true, false, 300000, {{1, 0, caplen, caplen, 8}}));
    Read r = read_reader(path);
    ASSERT_EQ(r.warnings.size(), 1u);
    std::string want = caplen > 300000 ? "bigger than snaplen of 300000" : "bigger than maximum of 262144";
    EXPECT_NE(r.warnings[0].find(want), std::string::npos) << r.warnings[0];
    expect_same_as_libpcap(path);
  }
  // The largest legal record, and records larger than a read, across the
  // reader's buffer refills.
  std::vector<Rec> recs;
  for (int i = 0; i < 12; ++i) recs.push_back({i, 0, i % 3 ? ms::pcapfmt::kMaxCaplen : 1000u + i, 300000});
  std::string path = tmp.write(build(true, true, 0, recs));
  Read r = read_reader(path);
  ASSERT_EQ(r.pkts.size(), 12u);
  EXPECT_EQ(r.pkts[1].caplen, ms::pcapfmt::kMaxCaplen);
  EXPECT_TRUE(r.warnings.empty());
  expect_same_as_libpcap(path);
}

TEST(PcapFormat, ZeroLengthFileAndHeaderOnly) {
  TempFiles tmp;
  std::string empty = tmp.write("");
  try {
    ms::CaptureReader reader({empty});
    FAIL() << "an empty file must not open";
  } catch (const ms::CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("not a pcap or pcapng capture (empty file)"), std::string::npos);
  }
  for (bool swapped : {false, true}) {
    std::string path = tmp.write(file_header(swapped, swapped, 65535, 1));
    Read r = read_reader(path);
    EXPECT_TRUE(r.pkts.empty());
    EXPECT_TRUE(r.warnings.empty());
    expect_same_as_libpcap(path);
  }
  // Shorter than a file header: libpcap's message, not a crash.
  std::string part = tmp.write(file_header(false, false, 65535, 1).substr(0, 10));
  EXPECT_THROW(ms::CaptureReader({part}), ms::CaptureError);
}

TEST(PcapFormat, LinkTypesAsLibpcapMapsThem) {
  TempFiles tmp;
  int accepted = 0;
  for (uint32_t lt = 0; lt < 300; ++lt) {
    for (bool swapped : {false, true}) {
      std::string bytes = file_header(swapped, false, 1500, lt);
      ms::pcapfmt::FileFormat f;
      if (!ms::pcapfmt::parse_file_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), f)) {
        continue;
      }
      ++accepted;
      Read lib = read_libpcap(tmp.write(bytes));
      EXPECT_EQ(f.linktype, lib.linktype) << "link type " << lt;
    }
  }
  // Ethernet, NULL, LOOP, the three raw values, IPv4, IPv6 in both orders;
  // Linux cooked v1 and v2 only natively.
  EXPECT_EQ(accepted, 2 * 8 + 2);
}

TEST(PcapFormat, OtherFilesStillGoThroughLibpcap) {
  TempFiles tmp;
  // Version 2.3 (caplen and len may be interchanged), a byte-swapped Linux
  // cooked capture, and the modified-libpcap magic: not this parser's.
  std::string v23 = file_header(false, false, 65535, 1, 3);
  add_record(v23, {5, 0, 20, 20}, false, 3);
  std::string sll = file_header(true, false, 65535, 113);
  add_record(sll, {5, 0, 20, 20}, true, 3);
  for (const std::string& bytes : {v23, sll}) {
    ms::pcapfmt::FileFormat f;
    EXPECT_FALSE(ms::pcapfmt::parse_file_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), f));
    std::string path = tmp.write(bytes);
    Read r = read_reader(path);
    EXPECT_EQ(r.pkts.size(), 1u);
    expect_same_as_libpcap(path);
  }
  std::string wifi = file_header(false, false, 65535, 105);
  try {
    ms::CaptureReader reader({tmp.write(wifi)});
    FAIL() << "802.11 must be refused";
  } catch (const ms::CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported link type 105"), std::string::npos);
  }
}

TEST(PcapFormat, FilesMergeByTimestamp) {
  TempFiles tmp;
  // A nanosecond byte-swapped file and a microsecond native one, interleaved.
  std::string a = build(true, true, 65535, {{100, 5, 10, 10}, {100, 3000, 10, 10}, {102, 0, 10, 10}});
  std::string b = build(false, false, 65535, {{100, 2, 12, 12}, {101, 0, 12, 12}});
  ms::CaptureReader reader({tmp.write(a), tmp.write(b)});
  std::vector<std::pair<ms::TimeNs, int>> got;
  ms::RawPacket p;
  while (reader.next(p)) got.push_back({p.ts, p.file});
  std::vector<std::pair<ms::TimeNs, int>> want = {{100 * ms::kNsPerSec + 5, 0},
                                                  {100 * ms::kNsPerSec + 2000, 1},
                                                  {100 * ms::kNsPerSec + 3000, 0},
                                                  {101 * ms::kNsPerSec, 1},
                                                  {102 * ms::kNsPerSec, 0}};
  EXPECT_EQ(got, want);
}

}  // namespace
