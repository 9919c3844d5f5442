// Fuzz target for the OpenVEX and CSAF VEX readers
// (src/exposure/openvex/): a document read as VEX statements, applied to a
// device through an SBOM whose components carry the statements' product ids.
//
// fuzz-replay: tests/fuzz/regressions_openvex/ ../shared/corpus/openvex-go-vex/pkg/vex/testdata/
// fuzz-replay: ../shared/corpus/openvex-go-vex/pkg/csaf/testdata/csaf.json
#include <string_view>

#include "exposure/openvex/openvex_reader.h"
#include "exposure/sbom_vex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 262144) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ms::exposure::AttachedBom vex, sbom;
  vex.path = "fuzz";
  if (ms::exposure::parse_openvex(text, vex.bom) && ms::exposure::parse_csaf_vex(text, vex.bom)) return 0;
  sbom.who = {"Acme", "Gateway", ""};
  ms::exposure::DeviceIdentity d{"dev", "Acme", "Gateway", "1", "", "", "", "", ""};
  std::vector<ms::exposure::Link> links(1);
  links[0].device = d.id;
  for (const ms::exposure::CdxVuln& v : vex.bom.vulns) {
    for (const std::string& ref : v.affects) {
      if (sbom.bom.components.size() < 64) sbom.bom.components.push_back({"", "", "", "", "", ref, ref});
    }
    if (links[0].vulns.size() < 64) links[0].vulns.push_back({v.id, "", "", "", 0, {}, ""});
  }
  std::vector<const ms::exposure::AttachedBom*> attached{&sbom};
  if (ms::exposure::vex_applies(vex, d, attached)) ms::exposure::apply_vex(vex, d, attached, links);
  return 0;
}
