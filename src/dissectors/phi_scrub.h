// Identifier-like runs in free text that medsentry writes (URL paths, file
// names, page titles, FTP arguments, typed commands) are replaced by PHI
// tokens: a medical record number, an accession number or a birth date in a
// path (/reports/PID778812.pdf, /studies/20240315/...) must not leave in clear.
// The rule (docs/decisions.md, "Identifiers in free text"): an alphanumeric run
// of up to 4 letters, 5 or more digits, up to 2 letters. Dotted numeric
// tokens with 3 or more parts (DICOM UIDs, IPv4 addresses) are kept.
#pragma once

#include <string>
#include <string_view>

#include "dissectors/dissector.h"

namespace ms {

bool identifier_like(std::string_view run);
std::string scrub_identifiers(std::string_view text, const AppContext& ctx);

}  // namespace ms
