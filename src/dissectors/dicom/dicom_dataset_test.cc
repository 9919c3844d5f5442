// Data set scanning: explicit and implicit VR, big endian, deflated, sequences
// of defined and undefined length (skipped), truncation, stop tag; and PHI
// token rules.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "common/phi.h"
#include "dissectors/dicom/dicom_dataset.h"

namespace {

using Buf = std::vector<uint8_t>;

bool g_big = false;  // the builders below write explicit VR big endian

void put16(Buf& b, uint16_t v) {
  if (g_big) {
    b.push_back(v >> 8);
    b.push_back(v & 0xFF);
  } else {
    b.push_back(v & 0xFF);
    b.push_back(v >> 8);
  }
}
void put32(Buf& b, uint32_t v) {
  if (g_big) {
    put16(b, v >> 16);
    put16(b, v & 0xFFFF);
  } else {
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
  }
}

// Raw deflate (RFC 1951, no zlib header), as PS3.5 §A.5 encodes a data set.
Buf deflate_raw(const Buf& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Buf out(deflateBound(&z, in.size()));
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

// Explicit VR little endian element (PS3.5 §7.1.2).
void el(Buf& b, uint16_t g, uint16_t e, const char* vr, const std::string& v) {
  put16(b, g); put16(b, e);
  b.push_back(vr[0]); b.push_back(vr[1]);
  put16(b, static_cast<uint16_t>(v.size()));
  b.insert(b.end(), v.begin(), v.end());
}

// An undefined-length sequence with one undefined-length item holding `inner`.
void undefined_sq(Buf& b, uint16_t g, uint16_t e, const Buf& inner) {
  put16(b, g); put16(b, e);
  b.push_back('S'); b.push_back('Q'); put16(b, 0); put32(b, 0xFFFFFFFF);
  put16(b, 0xFFFE); put16(b, 0xE000); put32(b, 0xFFFFFFFF);
  b.insert(b.end(), inner.begin(), inner.end());
  put16(b, 0xFFFE); put16(b, 0xE00D); put32(b, 0);
  put16(b, 0xFFFE); put16(b, 0xE0DD); put32(b, 0);
}

Buf sample() {
  Buf inner;
  el(inner, 0x0008, 0x0100, "SH", "12345 ");
  el(inner, 0x0008, 0x0102, "SH", "DCM ");
  Buf b;
  el(b, 0x0008, 0x0060, "CS", "CT");
  el(b, 0x0008, 0x0070, "LO", "GE MEDICAL SYSTEMS");
  undefined_sq(b, 0x0008, 0x1032, inner);  // ProcedureCodeSequence
  el(b, 0x0008, 0x1090, "LO", "Revolution CT ");
  el(b, 0x0010, 0x0010, "PN", "DOE^JANE");
  el(b, 0x0010, 0x0020, "LO", "PID778812 ");
  el(b, 0x7FE0, 0x0010, "OW", std::string(64, 'x'));  // pixel data, after the stop tag
  return b;
}

}  // namespace

TEST(DicomDataset, ExplicitVrWithUndefinedLengthSequence) {
  Buf b = sample();
  ms::dicom::DatasetScan scan;
  ms::dicom::scan_dataset(ms::Bytes(b), true, ms::dicom::tag(0x0041, 0), scan);
  ASSERT_EQ(scan.error, nullptr);
  EXPECT_TRUE(scan.reached_stop);
  ASSERT_EQ(scan.elements.size(), 6u);
  EXPECT_EQ(ms::dicom::element_text(scan.elements[1]), "GE MEDICAL SYSTEMS");
  EXPECT_EQ(scan.elements[2].tag, ms::dicom::tag(0x0008, 0x1032));  // present, skipped
  EXPECT_EQ(ms::dicom::element_text(scan.elements[3]), "Revolution CT");
  EXPECT_EQ(ms::dicom::element_info(scan.elements[4].tag).use, ms::dicom::ElementUse::kPhiName);
}

TEST(DicomDataset, ImplicitVr) {
  Buf b;
  auto imp = [&b](uint16_t g, uint16_t e, const std::string& v) {
    put16(b, g); put16(b, e); put32(b, static_cast<uint32_t>(v.size()));
    b.insert(b.end(), v.begin(), v.end());
  };
  imp(0x0008, 0x0052, "STUDY ");
  imp(0x0010, 0x0010, "DOE*");
  imp(0x0010, 0x0020, "");
  ms::dicom::DatasetScan scan;
  ms::dicom::scan_dataset(ms::Bytes(b), false, ms::dicom::tag(0x0041, 0), scan);
  ASSERT_EQ(scan.elements.size(), 3u);
  EXPECT_STREQ(ms::dicom::match_kind(scan.elements[0]), "single");
  EXPECT_STREQ(ms::dicom::match_kind(scan.elements[1]), "wildcard");
  EXPECT_STREQ(ms::dicom::match_kind(scan.elements[2]), "universal");
}

TEST(DicomDataset, EveryTruncationIsSafe) {
  Buf full = sample();
  for (size_t n = 0; n < full.size(); ++n) {
    Buf cut(full.begin(), full.begin() + static_cast<long>(n));
    ms::dicom::DatasetScan scan;
    ms::dicom::scan_dataset(ms::Bytes(cut), true, ms::dicom::tag(0x0041, 0), scan);
    for (const auto& e : scan.elements) {
      if (!e.value.empty()) {
        ASSERT_GE(e.value.data(), cut.data());
        ASSERT_LE(e.value.data() + e.value.size(), cut.data() + cut.size());
      }
    }
  }
}

TEST(DicomDataset, NestingIsBounded) {
  Buf inner;
  el(inner, 0x0008, 0x0100, "SH", "X");
  for (int i = 0; i < 20; ++i) {
    Buf wrap;
    undefined_sq(wrap, 0x0008, 0x1032, inner);
    inner = wrap;
  }
  ms::dicom::DatasetScan scan;
  ms::dicom::scan_dataset(ms::Bytes(inner), true, ms::dicom::tag(0x0041, 0), scan);
  EXPECT_STREQ(scan.error, "dicom.dataset_too_deep");
}

TEST(PhiToken, NormalisedKeyedAndStable) {
  std::array<uint8_t, ms::PhiTokenizer::kKeyLen> k1{}, k2{};
  k2[0] = 1;
  ms::PhiTokenizer a(k1), b(k2), clear(k1, true);
  EXPECT_EQ(a.token("name", "DOE^JANE"), a.token("name", "doe^jane^^^ "));
  EXPECT_EQ(a.token("birth_date", "1958-03-14"), a.token("birth_date", "19580314"));
  EXPECT_NE(a.token("name", "DOE^JANE"), b.token("name", "DOE^JANE"));
  EXPECT_NE(a.token("name", "PID1"), a.token("id", "PID1"));  // the kind is part of the hash
  EXPECT_EQ(a.token("id", "PID778812").size(), 20u);
  EXPECT_EQ(a.token("id", "PID778812").rfind("phi:", 0), 0u);
  EXPECT_EQ(a.token("id", "   "), "");
  EXPECT_EQ(clear.token("id", "PID778812"), "PID778812");
}

namespace {

void expect_sample(const ms::dicom::DatasetScan& scan) {
  ASSERT_EQ(scan.error, nullptr);
  EXPECT_TRUE(scan.reached_stop);
  ASSERT_EQ(scan.elements.size(), 6u);
  EXPECT_EQ(scan.elements[0].tag, ms::dicom::tag(0x0008, 0x0060));
  EXPECT_EQ(ms::dicom::element_text(scan.elements[1]), "GE MEDICAL SYSTEMS");
  EXPECT_EQ(scan.elements[2].tag, ms::dicom::tag(0x0008, 0x1032));  // the sequence, skipped
  EXPECT_EQ(ms::dicom::element_text(scan.elements[3]), "Revolution CT");
  EXPECT_EQ(ms::dicom::element_text(scan.elements[5]), "PID778812");
}

}  // namespace

TEST(DicomDataset, EncodingOfTransferSyntaxes) {
  using ms::dicom::Encoding;
  EXPECT_EQ(ms::dicom::encoding_of("1.2.840.10008.1.2"), Encoding::kImplicitLittle);
  EXPECT_EQ(ms::dicom::encoding_of("1.2.840.10008.1.2.1"), Encoding::kExplicitLittle);
  EXPECT_EQ(ms::dicom::encoding_of("1.2.840.10008.1.2.2"), Encoding::kExplicitBig);
  EXPECT_EQ(ms::dicom::encoding_of("1.2.840.10008.1.2.1.99"), Encoding::kDeflated);
  EXPECT_EQ(ms::dicom::encoding_of("1.2.840.10008.1.2.4.50"), Encoding::kExplicitLittle);  // JPEG: pixels only
}

TEST(DicomDataset, ExplicitVrBigEndian) {
  g_big = true;
  Buf b = sample();
  g_big = false;
  std::vector<uint8_t> unused;
  ms::dicom::DatasetScan scan;
  ms::dicom::scan_encoded(ms::Bytes(b), ms::dicom::Encoding::kExplicitBig, ms::dicom::tag(0x0041, 0), 1024, unused, scan);
  expect_sample(scan);
  // Read as little endian, the same bytes are nonsense: out of order tags.
  ms::dicom::DatasetScan wrong;
  ms::dicom::scan_dataset(ms::Bytes(b), true, ms::dicom::tag(0x0041, 0), wrong);
  EXPECT_NE(wrong.elements.size(), 6u);
}

TEST(DicomDataset, DeflatedIsInflatedWithinTheLimit) {
  Buf z = deflate_raw(sample());
  std::vector<uint8_t> inflated;
  ms::dicom::DatasetScan scan;
  ms::dicom::scan_encoded(ms::Bytes(z), ms::dicom::Encoding::kDeflated, ms::dicom::tag(0x0041, 0), 64 * 1024, inflated,
                          scan);
  expect_sample(scan);
  EXPECT_EQ(inflated, sample());

  // A bomb: 16 MiB of zeros deflate to a few KiB; at most the limit is inflated.
  Buf bomb_plain;
  el(bomb_plain, 0x0008, 0x0070, "LO", "X");
  el(bomb_plain, 0x0009, 0x0010, "UN", "");
  bomb_plain.resize(bomb_plain.size() + (16u << 20), 0);
  Buf bomb = deflate_raw(bomb_plain);
  ASSERT_LT(bomb.size(), 64u * 1024);
  ms::dicom::DatasetScan bscan;
  ms::dicom::scan_encoded(ms::Bytes(bomb), ms::dicom::Encoding::kDeflated, ms::dicom::tag(0x0041, 0), 4096, inflated,
                          bscan);
  EXPECT_EQ(inflated.size(), 4096u);
  EXPECT_GE(bscan.elements.size(), 1u);
}

TEST(DicomDataset, DeflatedCutShortOrCorrupt) {
  Buf z = deflate_raw(sample());
  std::vector<uint8_t> inflated;
  // Cut: what inflates is scanned, marked truncated.
  Buf cut(z.begin(), z.begin() + static_cast<long>(z.size() / 2));
  ms::dicom::DatasetScan scan;
  ms::dicom::scan_encoded(ms::Bytes(cut), ms::dicom::Encoding::kDeflated, ms::dicom::tag(0x0041, 0), 64 * 1024,
                          inflated, scan);
  EXPECT_EQ(scan.error, nullptr);
  EXPECT_TRUE(scan.truncated);
  EXPECT_FALSE(scan.reached_stop);
  EXPECT_LT(inflated.size(), sample().size());
  // Not deflate at all (a reserved block type): an error, nothing read.
  Buf junk = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x02, 0x03};
  ms::dicom::DatasetScan bad;
  ms::dicom::scan_encoded(ms::Bytes(junk), ms::dicom::Encoding::kDeflated, ms::dicom::tag(0x0041, 0), 64 * 1024,
                          inflated, bad);
  EXPECT_STREQ(bad.error, "dicom.bad_deflate");
  EXPECT_TRUE(bad.elements.empty());
}
