// Fuzz target for DICOM: the pure PDU, associate and command-set parsers on
// the raw input, then the dissector through the shared harness.
#include "dissectors/dicom/dicom_dataset.h"
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
  for (bool explicit_vr : {false, true}) {
    ms::dicom::DatasetScan scan;
    ms::dicom::scan_dataset(in, explicit_vr, ms::dicom::tag(0x0041, 0), scan);
    for (const auto& e : scan.elements) ms::dicom::match_kind(e);
  }
  fuzzharness::feed("dicom", data, size);
  return 0;
}
