// Fuzz target for Telnet (options, prompts, logins): the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/nDPI/pcap/telnet.pcap
// fuzz-seed: tcp tcp.port==23
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/telnet.pcap
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  fuzzharness::feed("telnet", data, size);
  return 0;
}
