// VEX documents other than CycloneDX's, read into the same statements
// (CdxBom::vulns: id, state, justification, detail, affects) so that one
// application (sbom_vex.h) serves all:
// - OpenVEX v0.0.1 and v0.2.0 (github.com/openvex/spec): statements with a
//   vulnerability (a name, or an object with `name`), products (@id purls, or
//   plain strings in v0.0.1, with subcomponents), status, justification,
//   impact_statement, action_statement.
// - CSAF 2.0 VEX (category csaf_vex, §4.5): each vulnerability's
//   product_status and its impact threats (the statement's detail), the
//   products named by their purls, cpes and names.
// States are mapped to CycloneDX's: not_affected, resolved (fixed),
// exploitable (affected), in_triage (under_investigation).
#pragma once

#include <string_view>

#include "exposure/cyclonedx/cyclonedx_reader.h"

namespace ms::exposure {

// nullptr, or why the text is no OpenVEX document.
const char* parse_openvex(std::string_view text, CdxBom& out);

// nullptr, or why the text is no CSAF 2.0 VEX document.
const char* parse_csaf_vex(std::string_view text, CdxBom& out);

// Any of the three (CycloneDX first); the reason of the last one tried.
const char* parse_any_vex(std::string_view text, CdxBom& out);

}  // namespace ms::exposure
