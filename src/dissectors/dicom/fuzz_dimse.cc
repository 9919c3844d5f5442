// Fuzz target for DIMSE and data sets: the command-set parser, the data set
// scanner in every encoding (implicit/explicit VR little endian, explicit VR
// big endian, deflated: a bounded inflate), the element helpers, and the
// Part 10 file parser (preamble, meta group, data set in the file's syntax).
//
// fuzz-replay: tests/fuzz/regressions_dimse/
#include <string>
#include <vector>

#include "dissectors/dicom/dicom_dataset.h"
#include "dissectors/dicom/dicom_file.h"
#include "dissectors/dicom/dicom_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::dicom::Command c;
  ms::dicom::parse_command(in, c);
  using ms::dicom::Encoding;
  for (Encoding enc : {Encoding::kImplicitLittle, Encoding::kExplicitLittle, Encoding::kExplicitBig, Encoding::kDeflated}) {
    ms::dicom::DatasetScan scan;
    std::vector<uint8_t> inflated;
    ms::dicom::scan_encoded(in, enc, ms::dicom::tag(0x0041, 0), 64 * 1024, inflated, scan);
    for (const auto& e : scan.elements) {
      ms::dicom::match_kind(e);
      ms::dicom::element_info(e.tag);
      std::string t = ms::dicom::element_text(e);
      if (t.size() > 64) __builtin_trap();  // element_text's bound
    }
  }
  ms::dicom::Part10 file;
  ms::dicom::parse_part10(in, file);
  ms::dicom::pickup_point(in, size);
  return 0;
}
