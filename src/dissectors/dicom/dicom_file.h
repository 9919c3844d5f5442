// DICOM Part 10 files (PS3.10 §7.1) found inside other protocols' payloads
// (HTTP bodies, STOW-RS multipart parts, FTP and SMB transfers): the 128-byte
// preamble, "DICM", the file meta group, and the leading elements of the data
// set. Pure: a span of the file's first bytes in, a summary out.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "dissectors/dicom/dicom_dataset.h"

namespace ms::dicom {

struct Part10 {
  Part10() = default;
  Part10(const Part10&) = delete;  // element views may point into `inflated`
  Part10& operator=(const Part10&) = delete;
  Part10(Part10&&) = default;  // a moved vector keeps its buffer
  Part10& operator=(Part10&&) = default;

  // zeros (the norm), tiff (a TIFF/DICOM dual file), pe or elf (an
  // executable that is also a DICOM file: CVE-2019-11687), other.
  std::string preamble_kind;
  std::string transfer_syntax, media_sop_class, media_sop_instance, implementation_class_uid;
  DatasetScan dataset;  // value views point into the input (or into `inflated`)
  std::vector<uint8_t> inflated;  // a deflated data set's leading bytes
  bool dataset_parsed = false;
};

// True if `b` starts a Part 10 file ("DICM" at offset 128).
bool is_part10(Bytes b);
// Parses what `b` holds of the file (the caller passes its first bytes).
void parse_part10(Bytes b, Part10& out);
const char* preamble_kind(Bytes first128);

}  // namespace ms::dicom
