// DICOM data set scanning (PS3.5 §7): the top-level elements of a data set in
// implicit or explicit VR little endian, explicit VR big endian, or deflated
// explicit VR little endian, up to a stop tag, sequences skipped. Pure: spans
// in, element views out; every length is checked, nesting, element counts and
// inflated bytes are bounded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"

namespace ms::dicom {

struct DataElement {
  uint32_t tag = 0;  // group << 16 | element
  char vr[3] = {0, 0, 0};  // explicit VR only
  Bytes value;
};

struct DatasetScan {
  std::vector<DataElement> elements;
  bool reached_stop = false;  // the stop tag (or a later one) was reached
  bool truncated = false;     // the input ended inside the data set
  const char* error = nullptr;
};

constexpr uint32_t tag(uint16_t g, uint16_t e) { return static_cast<uint32_t>(g) << 16 | e; }

void scan_dataset(Bytes data, bool explicit_vr, uint32_t stop_tag, DatasetScan& out, bool big_endian = false);

// How a transfer syntax (PS3.5 §10, Annex A) encodes the data set. Every
// syntax not named here (JPEG, RLE, MPEG ...) encodes it in explicit VR little
// endian; only the pixel data differ.
enum class Encoding : uint8_t { kImplicitLittle, kExplicitLittle, kExplicitBig, kDeflated };
Encoding encoding_of(std::string_view transfer_syntax);
const char* encoding_name(Encoding e);

// Scans a data set in any encoding. A deflated one (RFC 1951, no zlib header:
// PS3.5 §A.5) is inflated first, at most `max_inflated` bytes, into
// `inflated`, which the element views then point into; a stream cut short
// inflates as far as it goes (`out.truncated`), a corrupt one sets
// `out.error` ("dicom.bad_deflate").
void scan_encoded(Bytes data, Encoding enc, uint32_t stop_tag, size_t max_inflated, std::vector<uint8_t>& inflated,
                  DatasetScan& out);

// What medsentry may say about an element (common/phi.h for tokens).
enum class ElementUse : uint8_t {
  kIdentity,   // device identity: Manufacturer, Model, Station ... written in clear
  kStructure,  // query structure and UIDs: QueryRetrieveLevel, SOP Class UID ...
  kPhiName,    // person names: tokens only
  kPhiId,      // patient IDs, accession numbers: tokens only
  kPhiDate,    // birth dates: tokens only
  kSilent,     // known, value never written (free text, dates of service)
};

struct ElementInfo {
  const char* keyword;  // nullptr: not in our table
  ElementUse use;
};
ElementInfo element_info(uint32_t tag);

// The value as text: trailing spaces/NULs removed, at most `max` bytes.
std::string element_text(const DataElement& e, size_t max = 64);

// How a C-FIND key matches (PS3.4 §C.2.2.2): universal (empty), wildcard
// (* or ?), range (a '-' in a date/time), list (UIDs separated by '\'), single.
const char* match_kind(const DataElement& e);

}  // namespace ms::dicom
