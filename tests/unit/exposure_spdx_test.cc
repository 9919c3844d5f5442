// The SPDX 2.3 JSON reader (src/exposure/spdx/): a device SBOM in the shape
// of the SPDX 2.3 specification's examples (Annex G), and its use through
// the same attachment as CycloneDX (an OpenVEX statement reaches the device
// through a package's purl).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "exposure/openvex/openvex_reader.h"
#include "exposure/sbom_vex.h"
#include "exposure/spdx/spdx_reader.h"

namespace ms::exposure {
namespace {

const char* kDeviceSpdx = R"json({
  "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
  "name": "imaging-gateway-3.2", "documentNamespace": "https://acme.example/spdx/imaging-gateway-3.2-5b1e",
  "creationInfo": {"created": "2025-01-10T00:00:00Z", "creators": ["Organization: Acme"]},
  "documentDescribes": ["SPDXRef-Gateway"],
  "packages": [
    {"SPDXID": "SPDXRef-Gateway", "name": "Imaging Gateway", "versionInfo": "3.2", "supplier": "Organization: Acme (psirt@acme.example)",
     "primaryPackagePurpose": "DEVICE", "downloadLocation": "NOASSERTION"},
    {"SPDXID": "SPDXRef-libssl3", "name": "libssl3", "versionInfo": "3.0.8-r3", "supplier": "NOASSERTION",
     "downloadLocation": "NOASSERTION",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:apk/alpine/libssl3@3.0.8-r3"},
                      {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*"}]}
  ],
  "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Gateway"}]
})json";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ExposureSpdx, DeviceSbom) {
  CdxBom b;
  ASSERT_EQ(parse_spdx(kDeviceSpdx, b), nullptr);
  EXPECT_EQ(b.spec_version, "SPDX-2.3");
  EXPECT_EQ(b.subject.name, "Imaging Gateway");
  EXPECT_EQ(b.subject.version, "3.2");
  EXPECT_EQ(b.subject.manufacturer, "Acme");
  ASSERT_EQ(b.components.size(), 1u);
  EXPECT_EQ(b.components[0].purl, "pkg:apk/alpine/libssl3@3.0.8-r3");
  EXPECT_EQ(b.components[0].cpe, "cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*");
  EXPECT_EQ(b.components[0].manufacturer, "");
  CdxBom c;
  EXPECT_EQ(parse_any_sbom(kDeviceSpdx, c), nullptr);
  EXPECT_NE(parse_spdx("{\"bomFormat\":\"CycloneDX\"}", c), nullptr);
  EXPECT_NE(parse_spdx("{\"spdxVersion\":\"SPDX-3.0\"}", c), nullptr);
}

TEST(ExposureSpdx, VexReachesDeviceThroughSpdxPurl) {
  AttachedBom sbom, vex;
  ASSERT_EQ(parse_any_sbom(kDeviceSpdx, sbom.bom), nullptr);
  sbom.who = selector_of(sbom.bom);
  const std::string path = std::string(MS_SOURCE_DIR) + "/../shared/corpus/openvex-go-vex/pkg/vex/testdata/v0.2.0.json";
  ASSERT_EQ(parse_any_vex(slurp(path), vex.bom), nullptr);
  DeviceIdentity gw;
  gw.id = "aa:00:00:00:00:04";
  gw.manufacturer = "Acme";
  gw.model = "Imaging Gateway";
  gw.version = "3.2";
  ASSERT_TRUE(selects(sbom.who, gw));
  EXPECT_TRUE(vex_applies(vex, gw, {&sbom}));
}

}  // namespace
}  // namespace ms::exposure
