// Version comparison and version-range reading (src/exposure/version.h) on
// the texts the ICSMA advisories of ../shared/corpus really hold.
#include <gtest/gtest.h>

#include "exposure/version.h"

namespace ms::exposure {
namespace {

bool in(std::string_view spec, std::string_view version) {
  VersionSpec s = parse_version_spec(spec);
  return s.kind == VersionSpec::kAll || (s.kind == VersionSpec::kRange && contains(s.constraints, version));
}

TEST(ExposureVersion, Compare) {
  EXPECT_EQ(compare_versions("1.5", "1.5.0"), 0);
  EXPECT_EQ(compare_versions("1.10", "1.9"), 1);
  EXPECT_EQ(compare_versions("2.3.6", "2.3.6.1"), -1);
  EXPECT_EQ(compare_versions("2.4A", "2.4"), 1);
  EXPECT_EQ(compare_versions("12.2.7", "12.2.x.x"), 0);
  EXPECT_EQ(compare_versions("M.00.03", "B"), 1);
  EXPECT_EQ(compare_versions("BT04", "BT06"), -1);
  EXPECT_EQ(compare_versions("L50", "U61"), kIncomparable);
  EXPECT_EQ(compare_versions("012U000040", "012U000061"), -1);
}

TEST(ExposureVersion, Vers) {
  EXPECT_EQ(parse_version_spec("vers:all/*").kind, VersionSpec::kAll);
  EXPECT_TRUE(in("vers:generic/>=1.0|<2.3", "1.0"));
  EXPECT_TRUE(in("vers:generic/>=1.0|<2.3", "2.2.9"));
  EXPECT_FALSE(in("vers:generic/>=1.0|<2.3", "2.3"));
  EXPECT_FALSE(in("vers:generic/>=1.0|<2.3", "0.9"));
  // Two ranges and a point (VERSION-RANGE-SPEC's own example shape).
  EXPECT_TRUE(in("vers:generic/>=1.0|<=1.5|3.0|>=4.0", "3.0"));
  EXPECT_FALSE(in("vers:generic/>=1.0|<=1.5|3.0|>=4.0", "2.0"));
  EXPECT_TRUE(in("vers:generic/>=1.0|<=1.5|3.0|>=4.0", "7"));
  EXPECT_FALSE(in("vers:generic/!=1.2", "1.2"));
  EXPECT_TRUE(in("vers:generic/!=1.2", "1.3"));
}

TEST(ExposureVersion, CisaFreeText) {
  // ICSMA-17-250-02A: three product_version entries; the list form too.
  EXPECT_TRUE(in("1.1 | 1.2 | 1.4 | 1.5", "1.5"));
  EXPECT_FALSE(in("1.1 | 1.2 | 1.4 | 1.5", "1.6.1"));
  // ICSMA-21-343-01: ">= 5.01 | <= 6.3.1" is one range.
  EXPECT_TRUE(in(">= 5.01 | <= 6.3.1", "6.3.1"));
  EXPECT_TRUE(in(">= 5.01 | <= 6.3.1", "5.2"));
  EXPECT_FALSE(in(">= 5.01 | <= 6.3.1", "6.4.0"));
  EXPECT_FALSE(in(">= 5.01 | <= 6.3.1", "4.9"));
  EXPECT_TRUE(in("2.3.6 and  below", "2.3.5"));
  EXPECT_FALSE(in("2.3.6 and  below", "2.3.7"));
  EXPECT_TRUE(in("versions prior to 3.2", "3.1.9"));
  EXPECT_FALSE(in("versions prior to 3.2", "3.2"));
  EXPECT_TRUE(in("V2.0.1 and earlier", "2.0.1"));
  EXPECT_TRUE(in("all versions", "9"));
  EXPECT_TRUE(in("<= 12.2.x.x", "12.2.4.1"));
  EXPECT_FALSE(in("<= 12.2.x.x", "12.3"));
  EXPECT_TRUE(in("< 3.x", "2.9"));
  EXPECT_FALSE(in("< 3.x", "3.1"));
  EXPECT_TRUE(in("2.X", "2.7"));
  EXPECT_FALSE(in("2.X", "3.0"));
  // Philips IntelliVue (ICSMA-18-156-01): revision letters B through M, M.xx included.
  EXPECT_TRUE(in("Rev B-M", "M.00.03"));
  EXPECT_TRUE(in("Rev B-M", "J.10"));
  EXPECT_FALSE(in("Rev B-M", "A.01"));
  EXPECT_FALSE(in("Rev B-M", "N.01"));
  // Product lines with their own letters: "<= U61 |<= L81".
  EXPECT_TRUE(in("<= U61 |<= L81", "L70"));
  EXPECT_FALSE(in("<= U61 |<= L81", "L90"));
  EXPECT_TRUE(in(">=BT02 | <= BT06", "BT03"));
  EXPECT_FALSE(in(">=BT02 | <= BT06", "BT07"));
  EXPECT_TRUE(in("A10 < A11", "A10"));
  EXPECT_FALSE(in("A10 < A11", "A11"));
  EXPECT_TRUE(in("(Release 1.3.2 1.4.0 1.4.1 1.4.3 1.4.5)", "1.4.3"));
  EXPECT_FALSE(in("(Release 1.3.2 1.4.0 1.4.1 1.4.3 1.4.5)", "1.4.2"));
}

TEST(ExposureVersion, NotesModelsConditions) {
  VersionSpec s = parse_version_spec("<= 2.01 (end-of-life Nov 2017)");
  EXPECT_EQ(s.kind, VersionSpec::kRange);
  EXPECT_NE(s.note.find("end-of-life"), std::string::npos);
  s = parse_version_spec("distributed  < april 1, 2018");
  EXPECT_EQ(s.kind, VersionSpec::kCondition);
  s = parse_version_spec("MMT-554 / MMT-754 MiniMed Veo");
  EXPECT_EQ(s.kind, VersionSpec::kModels);
  EXPECT_EQ(s.models.size(), 2u);
  s = parse_version_spec("v9.x model 35700BAX3");
  EXPECT_EQ(s.kind, VersionSpec::kRange);
  ASSERT_EQ(s.models.size(), 1u);
  EXPECT_EQ(s.models[0], "35700BAX3");
  EXPECT_TRUE(contains(s.constraints, "9.4"));
  s = parse_version_spec("<=11.2 on Windows 8.1 with IIS 7.5");
  EXPECT_TRUE(contains(s.constraints, "11.2"));
  EXPECT_NE(s.note.find("Windows 8.1"), std::string::npos);
  EXPECT_EQ(parse_version_spec("").kind, VersionSpec::kUnknown);
  EXPECT_EQ(parse_version_spec("|||").kind, VersionSpec::kUnknown);
}

TEST(ExposureVersion, DeviceVersionText) {
  EXPECT_EQ(normalize_version("Rev M.00.03"), "M.00.03");
  EXPECT_EQ(normalize_version("V2.0.1"), "2.0.1");
  EXPECT_EQ(normalize_version("Firmware 1.5 build 7"), "1.5");
  EXPECT_EQ(normalize_version("1.5"), "1.5");
}

}  // namespace
}  // namespace ms::exposure
