// Fuzz target for SSDP: the parser on the raw input, then the dissector
// with the input as datagrams (split at 0xFF 0xFE markers), both directions.
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/nDPI/pcap/ssdp-m-search-ua.pcap
// fuzz-seed: udp ssdp
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/ssdp-m-search*.pcap ../shared/corpus/nDPI/pcap/iphone.pcap
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  fuzzharness::datagrams("ssdp", data, size);
  return 0;
}
