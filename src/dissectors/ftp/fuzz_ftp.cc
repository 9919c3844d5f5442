// Fuzz target for the FTP control channel (with AUTH TLS hand-off): the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/nDPI/pcap/ftp-start-tls.pcap
// fuzz-seed: tcp tcp.port==21
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/ftp*.pcap
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/ftp/*.pcap
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  fuzzharness::feed("ftp", data, size);
  return 0;
}
