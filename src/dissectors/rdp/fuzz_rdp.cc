// Fuzz target for the RDP connection start (TPKT, X.224, client core data): the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/zeek/testing/btest/Traces/rdp/rdp-x509.pcap
// fuzz-seed: tcp tcp.port==3389
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/rdp.pcap
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/rdp/*.pcap
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  fuzzharness::feed("rdp", data, size);
  return 0;
}
