// Fuzz target for SMB1/2/3 over NBSS and NTLMSSP: the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/suricata-verify/tests/smb3-01/input.pcap
// fuzz-seed: tcp tcp.port==445 || tcp.port==139
// fuzz-seed-captures: ../shared/corpus/suricata-verify/tests/smb*/*.pcap
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/smb/*.pcap
#include "dissectors/smb/ntlmssp.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  ms::ntlmssp::Message m;
  ms::ntlmssp::find_and_parse(in, m);
  fuzzharness::feed("smb", data, size);
  return 0;
}
