// CycloneDX SBOM/VEX reading and VEX application (src/exposure/cyclonedx,
// sbom_vex.h) on the CycloneDX examples and medical-device SBOMs of
// ../shared/corpus, and a VEX for a real advisory's device.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "exposure/openvex/openvex_reader.h"
#include "exposure/sbom_vex.h"

namespace ms::exposure {
namespace {

const std::string kCorpus = std::string(MS_SOURCE_DIR) + "/../shared/corpus/";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ExposureCycloneDx, CorpusDocumentsLoad) {
  size_t files = 0, components = 0, vulns = 0;
  for (const char* dir : {"CycloneDX-bom-examples", "sbom-completeness"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(kCorpus + dir)) {
      if (e.path().extension() != ".json") continue;
      CdxBom b;
      const char* err = parse_cyclonedx(slurp(e.path()), b);
      ASSERT_EQ(err, nullptr) << e.path() << ": " << err;
      EXPECT_EQ(b.dropped, 0u);
      ++files;
      components += b.components.size();
      vulns += b.vulns.size();
    }
  }
  std::cout << "[ cdx ] " << files << " CycloneDX documents, " << components << " components, " << vulns
            << " vulnerabilities\n";
  EXPECT_GE(files, 30u);
  CdxBom dev;
  ASSERT_EQ(parse_cyclonedx(slurp(kCorpus + "sbom-completeness/sboms/case-study/extended.sbom.json"), dev), nullptr);
  EXPECT_EQ(dev.subject.type, "device");
  EXPECT_EQ(dev.components.size(), 65u);
  CdxBom vex;
  ASSERT_EQ(parse_cyclonedx(slurp(kCorpus + "CycloneDX-bom-examples/VEX/CISA-Use-Cases/Case-2/vex.json"), vex), nullptr);
  ASSERT_FALSE(vex.vulns.empty());
  EXPECT_EQ(vex.vulns[0].id, "CVE-2020-11896");
  EXPECT_EQ(vex.vulns[0].state, "not_affected");
  EXPECT_EQ(vex.vulns[0].justification, "code_not_reachable");
}

TEST(ExposureCycloneDx, RejectsWhatIsNotCycloneDx) {
  CdxBom b;
  EXPECT_NE(parse_cyclonedx("", b), nullptr);
  EXPECT_NE(parse_cyclonedx("{\"spdxVersion\":\"SPDX-2.3\"}", b), nullptr);
  EXPECT_NE(parse_cyclonedx(slurp(kCorpus + "cisagov-CSAF/icsma/icsma-17-250-02a.json"), b), nullptr);
}

// VEX Use Case 6: one VEX, by BOM-Link (urn:cdx:SERIAL/1#ref), says
// CVE-2020-25649 does not affect three products, each with its SBOM. It
// speaks of the device the product's SBOM is attached to (by a mapping,
// since the SBOM names no maker), and of no other.
TEST(ExposureCycloneDx, VexFindsItsSbomByBomLink) {
  const std::string dir = kCorpus + "CycloneDX-bom-examples/VEX/Use-Cases/Case-6/";
  AttachedBom sbom, vex;
  sbom.path = dir + "bom-1.json";
  vex.path = dir + "vex.json";
  ASSERT_EQ(parse_cyclonedx(slurp(sbom.path), sbom.bom), nullptr);
  ASSERT_EQ(parse_cyclonedx(slurp(vex.path), vex.bom), nullptr);
  ASSERT_TRUE(parse_selector("Acme;Infusion Gateway;2.1", sbom.who));
  vex.who = selector_of(vex.bom);
  DeviceIdentity gw{"aa:00:00:00:00:01", "Acme", "Infusion Gateway", "2.1", "", "", "", "", ""};
  DeviceIdentity other{"aa:00:00:00:00:02", "Acme", "Infusion Gateway", "2.2", "", "", "", "", ""};
  ASSERT_TRUE(selects(sbom.who, gw));
  EXPECT_FALSE(selects(sbom.who, other));
  EXPECT_TRUE(vex_applies(vex, gw, {&sbom}));
  EXPECT_FALSE(vex_applies(vex, other, {}));
  // A link to that CVE (as an advisory naming the gateway would make) is suppressed.
  std::vector<Link> links(1);
  links[0].device = gw.id;
  links[0].vulns.push_back({"CVE-2020-25649", "", "", "", 7.5, Status::kAffected, ""});
  links[0].vulns.push_back({"CVE-2020-11896", "", "", "", 9.8, Status::kAffected, ""});
  EXPECT_EQ(apply_vex(vex, gw, {&sbom}, links), 1u);
  EXPECT_EQ(links[0].vulns[0].status, Status::kNotAffected);
  EXPECT_NE(links[0].vulns[0].justification.find("code_not_reachable"), std::string::npos);
  EXPECT_EQ(links[0].vulns[1].status, Status::kAffected);
  EXPECT_EQ(links[0].status, Status::kAffected);
}

// Medfusion 4000 firmware 1.5 is affected by ICSMA-17-250-02A's eight CVEs;
// the maker's VEX says one of them does not apply: that one is suppressed
// with its justification, the others stay.
TEST(ExposureCycloneDx, VexNotAffectedSuppresses) {
  CsafDoc doc;
  ASSERT_EQ(parse_csaf(slurp(kCorpus + "cisagov-CSAF/icsma/icsma-17-250-02a.json"), doc), nullptr);
  DeviceIdentity pump{"00:0b:ab:00:00:01", "Smiths Medical", "Medfusion 4000", "1.5", "", "infusion pump", "", "", ""};
  std::vector<Link> links = match_device(doc, pump);
  ASSERT_EQ(links.size(), 1u);
  AttachedBom vex;
  vex.path = "medfusion-vex.json";
  const char* text = R"({"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
    "metadata":{"component":{"type":"device","name":"Medfusion 4000","version":"1.5","manufacturer":{"name":"Smiths Medical"}}},
    "vulnerabilities":[{"id":"CVE-2017-12718","analysis":{"state":"not_affected","justification":"requires_configuration",
      "detail":"Only reachable with the wireless module's FTP service enabled; it is off in this configuration."},
      "affects":[{"ref":"medfusion-4000"}]}]})";
  ASSERT_EQ(parse_cyclonedx(text, vex.bom), nullptr);
  vex.who = selector_of(vex.bom);
  ASSERT_TRUE(vex_applies(vex, pump, {}));
  EXPECT_EQ(apply_vex(vex, pump, {}, links), 1u);
  size_t affected = 0;
  for (const VulnLink& v : links[0].vulns) {
    if (v.cve == "CVE-2017-12718") {
      EXPECT_EQ(v.status, Status::kNotAffected);
      EXPECT_NE(v.justification.find("requires_configuration"), std::string::npos);
      EXPECT_NE(v.justification.find("FTP service"), std::string::npos);
    } else {
      affected += v.status == Status::kAffected;
    }
  }
  EXPECT_EQ(affected, 7u);
  EXPECT_EQ(links[0].status, Status::kAffected);
  // Another firmware: the VEX names 1.5 only.
  DeviceIdentity other = pump;
  other.version = "1.1";
  EXPECT_FALSE(vex_applies(vex, other, {}));
}

}  // namespace
}  // namespace ms::exposure

namespace ms::exposure {
namespace {

TEST(ExposureOpenVex, CorpusDocumentsLoad) {
  const std::string dir = kCorpus + "openvex-go-vex/pkg/vex/testdata/";
  for (const char* f : {"v0.0.1.json", "v0.2.0.json", "v001-1.vex.json", "v001-2.vex.json", "v020-1.vex.json", "v020-2.vex.json"}) {
    CdxBom b;
    ASSERT_EQ(parse_openvex(slurp(dir + f), b), nullptr) << f;
    EXPECT_FALSE(b.vulns.empty()) << f;
    EXPECT_EQ(parse_any_vex(slurp(dir + f), b), nullptr) << f;
  }
  CdxBom b;
  ASSERT_EQ(parse_openvex(slurp(dir + "v0.0.1.json"), b), nullptr);
  EXPECT_EQ(b.vulns[0].id, "CVE-2023-12345");
  EXPECT_EQ(b.vulns[0].state, "resolved");
  EXPECT_EQ(b.vulns[0].affects.size(), 2u);
  EXPECT_NE(parse_openvex(slurp(kCorpus + "CycloneDX-bom-examples/VEX/vex.json"), b), nullptr);
}

TEST(ExposureOpenVex, CsafVexLoads) {
  const std::string dir = kCorpus + "openvex-go-vex/pkg/csaf/testdata/";
  CdxBom b;
  ASSERT_EQ(parse_csaf_vex(slurp(dir + "csaf.json"), b), nullptr);
  ASSERT_FALSE(b.vulns.empty());
  EXPECT_EQ(b.vulns[0].id, "CVE-2009-4487");
  EXPECT_EQ(b.vulns[0].state, "not_affected");
  EXPECT_NE(b.vulns[0].detail.find("removed before shipping"), std::string::npos);
  // Red Hat's 1.2 MB CSAF VEX: within the reader's caps.
  ASSERT_EQ(parse_csaf_vex(slurp(dir + "rhsa-2020_1358.json"), b), nullptr);
  EXPECT_GT(b.vulns.size(), 10u);
  // An ICSMA advisory is CSAF but no VEX.
  EXPECT_NE(parse_csaf_vex(slurp(kCorpus + "cisagov-CSAF/icsma/icsma-17-250-02a.json"), b), nullptr);
}

// OpenVEX names products by purl: its statement reaches a device through the
// component of the SBOM attached to it.
TEST(ExposureOpenVex, StatementReachesDeviceThroughSbomPurl) {
  AttachedBom sbom, vex;
  const char* bom = R"({"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:7d0c0b8e-1b1a-4f5e-9b8e-2f0a6c1d9e11",
    "metadata":{"component":{"type":"device","name":"Imaging Gateway","version":"3.2","manufacturer":{"name":"Acme"}}},
    "components":[{"type":"library","name":"libssl3","version":"3.0.8-r3","purl":"pkg:apk/alpine/libssl3@3.0.8-r3"}]})";
  ASSERT_EQ(parse_cyclonedx(bom, sbom.bom), nullptr);
  sbom.who = selector_of(sbom.bom);
  vex.path = "v0.2.0.json";
  ASSERT_EQ(parse_any_vex(slurp(kCorpus + "openvex-go-vex/pkg/vex/testdata/v0.2.0.json"), vex.bom), nullptr);
  vex.who = selector_of(vex.bom);
  DeviceIdentity gw{"aa:00:00:00:00:03", "Acme", "Imaging Gateway", "3.2", "", "", "", "", ""};
  ASSERT_TRUE(selects(sbom.who, gw));
  EXPECT_FALSE(vex_applies(vex, gw, {}));
  ASSERT_TRUE(vex_applies(vex, gw, {&sbom}));
  std::vector<Link> links(1);
  links[0].device = gw.id;
  links[0].vulns.push_back({"CVE-2023-2650", "", "", "", 6.5, Status::kAffected, ""});
  EXPECT_EQ(apply_vex(vex, gw, {&sbom}, links), 1u);
  EXPECT_EQ(links[0].vulns[0].status, Status::kFixed);
  EXPECT_EQ(links[0].status, Status::kFixed);
}

}  // namespace
}  // namespace ms::exposure
