// Fuzz target for SSH identification, binary packets, KEXINIT and key exchange replies: the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/nDPI/pcap/ssh.pcap
// fuzz-seed: tcp tcp.port==22
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/ssh*.pcap
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/ssh/*.pcap
// fuzz-seed-captures: ../shared/corpus/suricata-verify/tests/ssh-*/input.pcap
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  fuzzharness::feed("ssh", data, size);
  return 0;
}
