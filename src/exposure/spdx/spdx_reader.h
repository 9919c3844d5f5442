// An SPDX 2.3 JSON reader (spdx.github.io/spdx-spec/v2.3): the packages of an
// SBOM read into the CycloneDX shape the rest of exposure uses (CdxBom): the
// package the document DESCRIBES is the subject (its supplier "Organization:
// X" the maker, versionInfo the version), the others are components with
// their purl and cpe external references (§7.21). Pure and bounded.
#pragma once

#include <string_view>

#include "exposure/cyclonedx/cyclonedx_reader.h"

namespace ms::exposure {

// nullptr, or why the text is no SPDX 2.x JSON document.
const char* parse_spdx(std::string_view text, CdxBom& out);

// CycloneDX, else SPDX; the reason of the last one tried.
const char* parse_any_sbom(std::string_view text, CdxBom& out);

}  // namespace ms::exposure
