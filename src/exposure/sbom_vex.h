// SBOMs and VEX documents attached to devices (docs/exposure.md). A
// CycloneDX document is attached to the devices its subject
// (metadata.component: maker, name, version) names, or to those a mapping
// "MAKER;MODEL[;VERSION]=FILE" names. An SBOM's components link a device to
// advisories whose product identification helpers carry the same purl or
// cpe; a VDR's own vulnerabilities link it directly. A VEX statement about
// a vulnerability then decides that vulnerability's status on the device:
// `not_affected` suppresses it with its justification shown, `affected`
// shows its action statement.
#pragma once

#include <string>
#include <vector>

#include "exposure/csaf/csaf_reader.h"
#include "exposure/cyclonedx/cyclonedx_reader.h"
#include "exposure/match.h"

namespace ms::exposure {

struct DeviceSelector {
  std::string manufacturer, model, version;  // version empty: every version
};

struct AttachedBom {
  std::string path;
  DeviceSelector who;
  CdxBom bom;
};

// "MAKER;MODEL[;VERSION]" -> a selector; false when it has no model.
bool parse_selector(const std::string& text, DeviceSelector& out);
DeviceSelector selector_of(const CdxBom& bom);
bool selects(const DeviceSelector& s, const DeviceIdentity& d);

// Links from a document attached to `d`: its components against the
// advisories' purls and cpes, and its own vulnerabilities (a VDR).
std::vector<Link> bom_links(const AttachedBom& b, const std::vector<CsafDoc>& docs, const DeviceIdentity& d);

// Whether a VEX document speaks of `d`: it names the device (its subject or
// its mapping), or it refers to an SBOM attached to the device (affects refs
// "urn:cdx:SERIAL/VERSION#REF", CycloneDX BOM-Link).
bool vex_applies(const AttachedBom& vex, const DeviceIdentity& d, const std::vector<const AttachedBom*>& sboms);

// Applies a VEX document's statements that speak of `d` (as vex_applies) to
// the links of `d`. Returns how many vulnerability statuses it decided.
size_t apply_vex(const AttachedBom& vex, const DeviceIdentity& d, const std::vector<const AttachedBom*>& sboms,
                 std::vector<Link>& links);

}  // namespace ms::exposure
