// Data set scanning: explicit and implicit VR, sequences of defined and
// undefined length (skipped), truncation, stop tag; and PHI token rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/phi.h"
#include "dissectors/dicom/dicom_dataset.h"

namespace {

using Buf = std::vector<uint8_t>;

void put16(Buf& b, uint16_t v) { b.push_back(v & 0xFF); b.push_back(v >> 8); }
void put32(Buf& b, uint32_t v) { put16(b, v & 0xFFFF); put16(b, v >> 16); }

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
