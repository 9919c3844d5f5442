// Fuzz target for SSH identification, binary packets, KEXINIT and key exchange replies: the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  fuzzharness::feed("ssh", data, size);
  return 0;
}
