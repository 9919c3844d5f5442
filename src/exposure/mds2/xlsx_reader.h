// A bounded reader of the cell texts of an XLSX workbook (ECMA-376 Office
// Open XML SpreadsheetML), for MDS2 forms (docs/exposure.md "MDS2"). The ZIP
// container is read by libzip from memory; the sheet XML and the shared
// strings are scanned by a small bounded scanner (cells, inline and shared
// strings, values), not a general XML parser: a form is a vendor's or an
// attacker's file, so every entry size, count, index and reference is capped
// and checked, and decompressed sizes are counted, never taken from the
// archive's headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ms::exposure {

constexpr size_t kXlsxMaxBytes = 16u << 20;        // the workbook file
constexpr size_t kXlsxMaxEntries = 2000;           // ZIP entries
constexpr size_t kXlsxMaxEntryBytes = 16u << 20;   // one decompressed part
constexpr size_t kXlsxMaxTotalBytes = 48u << 20;   // all parts read, decompressed
constexpr size_t kXlsxMaxSheets = 64;
constexpr size_t kXlsxMaxStrings = 200000;         // shared strings
constexpr size_t kXlsxMaxCells = 400000;           // non-empty cells, all sheets
constexpr size_t kXlsxMaxText = 4096;              // one cell's text (longer: cut)
constexpr uint32_t kXlsxMaxRow = 1048576;          // SpreadsheetML's own limits
constexpr uint32_t kXlsxMaxCol = 16384;            // (XFD)

struct XlsxCell {
  uint32_t sheet = 0, row = 0, col = 0;  // sheet from 0 (in part-name order), row and column from 1
  std::string text;
};

// Reads every non-empty cell's text, sorted by sheet, row and column. Returns
// nullptr, or a one-line reason the workbook cannot be read.
const char* read_xlsx_cells(std::string_view file, std::vector<XlsxCell>& out);

// "B12" -> column 2, row 12; false when not a valid reference in SpreadsheetML's range.
bool parse_cell_ref(std::string_view ref, uint32_t& col, uint32_t& row);

}  // namespace ms::exposure
