// Fuzz target for DICOM: the pure PDU, associate and command-set parsers on
// the raw input, the data set scanner in every encoding (deflate included),
// the Part 10 file parser, then the DIMSE dissector and the bare-connection
// file dissector through the shared harness.
#include "dissectors/dicom/dicom_dataset.h"
#include "dissectors/dicom/dicom_file.h"
#include "dissectors/dicom/dicom_parser.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::dicom::PduHeader h;
  if (ms::dicom::parse_pdu_header(in, h) && size > 6) {
    ms::dicom::Associate a;
    ms::dicom::parse_associate(in.subspan(6), h.type == 1, a);
  }
  ms::dicom::Command c;
  ms::dicom::parse_command(in, c);
  ms::dicom::plausible_start(in);
  using ms::dicom::Encoding;
  for (Encoding enc : {Encoding::kImplicitLittle, Encoding::kExplicitLittle, Encoding::kExplicitBig, Encoding::kDeflated}) {
    ms::dicom::DatasetScan scan;
    std::vector<uint8_t> inflated;
    ms::dicom::scan_encoded(in, enc, ms::dicom::tag(0x0041, 0), 64 * 1024, inflated, scan);
    for (const auto& e : scan.elements) ms::dicom::match_kind(e);
  }
  ms::dicom::Part10 file;
  ms::dicom::parse_part10(in, file);
  fuzzharness::feed("dicom", data, size);
  fuzzharness::feed("dicom-file", data, size);  // a Part 10 file as a bare TCP connection
  return 0;
}
