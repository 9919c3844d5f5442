// Fuzz target for HL7 v2: the message parser and unescaping on the raw
// input, then the dissector (MLLP and raw framing) through the shared harness.
//
// fuzz-replay: tests/fuzz/regressions_hl7/ samples/clinic-sample.pcap
// fuzz-replay: ../shared/corpus/nDPI-2025/pcap/hl7.pcap
// fuzz-seed: tcp tcp.port==2575
// fuzz-seed-captures: samples/clinic-sample.pcap ../shared/corpus/nDPI-2025/pcap/*.pcap
// fuzz-seed-captures: ../shared/corpus/tapirx/testdata/*.pcap build/tests/work/test_lab/lab_*/capture.pcap
#include "dissectors/hl7/hl7_parser.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::hl7::Message m;
  ms::hl7::parse_message(in, m);
  ms::hl7::unescape(std::string_view(reinterpret_cast<const char*>(data), size), ms::hl7::Delimiters{});
  ms::hl7::plausible_start(in);
  fuzzharness::feed("hl7", data, size);
  return 0;
}
