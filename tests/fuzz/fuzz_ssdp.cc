// Fuzz target for SSDP: the parser on the raw input, then the dissector
// with the input as datagrams (split at 0xFF 0xFE markers), both directions.
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  fuzzharness::datagrams("ssdp", data, size);
  return 0;
}
