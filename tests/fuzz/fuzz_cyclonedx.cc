// Fuzz target for the CycloneDX and SPDX readers (src/exposure/cyclonedx/,
// spdx/) and the
// SBOM/VEX application: the document is attached to a device it names and
// applied as a VEX to a link that holds each of its vulnerabilities.
//
// fuzz-replay: tests/fuzz/regressions_cyclonedx/ ../shared/corpus/CycloneDX-bom-examples/VEX/vex.json
// fuzz-replay: ../shared/corpus/CycloneDX-bom-examples/VEX/bom.json
// fuzz-replay: ../shared/corpus/CycloneDX-bom-examples/VEX/CISA-Use-Cases/Case-2/vex.json
// fuzz-replay: ../shared/corpus/CycloneDX-bom-examples/VEX/Use-Cases/Case-6/vex.json
// fuzz-replay: ../shared/corpus/sbom-completeness/sboms/case-study/narrow.sbom.json
#include <string_view>

#include "exposure/sbom_vex.h"
#include "exposure/spdx/spdx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 262144) return 0;
  ms::exposure::AttachedBom b;
  b.path = "fuzz";
  if (ms::exposure::parse_any_sbom(std::string_view(reinterpret_cast<const char*>(data), size), b.bom)) return 0;
  b.who = ms::exposure::selector_of(b.bom);
  ms::exposure::DeviceIdentity d;
  d.id = "dev";
  d.manufacturer = b.who.manufacturer;
  d.model = b.who.model;
  d.version = b.who.version;
  std::vector<ms::exposure::Link> links = ms::exposure::bom_links(b, {}, d);
  ms::exposure::Link l;
  l.device = d.id;
  for (const ms::exposure::CdxVuln& v : b.bom.vulns) l.vulns.push_back({v.id, "", "", "", 0, {}, ""});
  links.push_back(l);
  std::vector<const ms::exposure::AttachedBom*> self{&b};
  if (ms::exposure::vex_applies(b, d, self)) ms::exposure::apply_vex(b, d, self, links);
  return 0;
}
