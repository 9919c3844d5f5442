// A CycloneDX JSON reader (CycloneDX 1.4-1.6, cyclonedx.org/docs/1.6/json):
// the BOM's subject (metadata.component: a device's maker, name, version),
// its components (name, version, purl, cpe) and its vulnerabilities, which
// in a VEX or VDR carry an analysis (state, justification, response,
// detail) and the refs they affect. Pure and bounded like the CSAF reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms::exposure {

constexpr size_t kCdxMaxBytes = 4u << 20;
constexpr size_t kCdxMaxComponents = 5000;
constexpr size_t kCdxMaxVulns = 5000;

struct CdxComponent {
  std::string ref, type, name, version, manufacturer, purl, cpe;
};

struct CdxVuln {
  std::string id, source, state, justification, detail;  // analysis (§vulnerabilities.analysis)
  std::vector<std::string> responses, affects;           // response[], affects[].ref
  double score = 0;                                      // the highest rating score
  std::string vector;
};

struct CdxBom {
  std::string spec_version, serial;
  CdxComponent subject;  // metadata.component
  std::vector<CdxComponent> components;
  std::vector<CdxVuln> vulns;
  size_t dropped = 0;
};

// nullptr, or why the text is no CycloneDX JSON BOM.
const char* parse_cyclonedx(std::string_view text, CdxBom& out);

}  // namespace ms::exposure
