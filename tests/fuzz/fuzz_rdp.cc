// Fuzz target for the RDP connection start (TPKT, X.224, client core data): the dissector on two
// interleaved streams cut into chunks (fuzzharness::feed).
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  (void)in;
  fuzzharness::feed("rdp", data, size);
  return 0;
}
