// Fuzz target for SMB1/2/3 over NBSS and NTLMSSP: the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
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
