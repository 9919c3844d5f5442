// Fuzz target for the DICOM upper layer: the pure PDU and associate parsers
// and the plausibility checks on the raw input, then the DIMSE dissector and
// the bare-connection file dissector through the shared harness (command sets
// and data sets have their own target, fuzz_dimse).
//
// fuzz-replay: tests/fuzz/regressions_dicom/ samples/clinic-sample.pcap
// fuzz-replay: ../shared/corpus/nDPI-2025/pcap/dicom.pcap
// fuzz-seed: tcp tcp.port==104 || ftp-data
// fuzz-seed-captures: samples/clinic-sample.pcap ../shared/corpus/nDPI-2025/pcap/*.pcap
// fuzz-seed-captures: ../shared/corpus/tapirx/testdata/*.pcap build/tests/work/test_lab/lab_*/capture.pcap
#include "dissectors/dicom/dicom_parser.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::dicom::PduHeader h;
  if (ms::dicom::parse_pdu_header(in, h) && size > 6) {
    ms::dicom::Associate a;
    ms::dicom::parse_associate(in.subspan(6), h.type == 1, a);
  }
  ms::dicom::plausible_start(in);
  ms::dicom::pickup_point(in, size);
  fuzzharness::feed("dicom", data, size);
  fuzzharness::feed("dicom-file", data, size);  // a Part 10 file as a bare TCP connection
  return 0;
}
