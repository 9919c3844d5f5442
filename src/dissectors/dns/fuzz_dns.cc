// Fuzz target for DNS, mDNS, LLMNR and NBNS: the parser on the raw input, then the dissector
// with the input as datagrams (split at 0xFF 0xFE markers), both directions.
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/nDPI/pcap/dns.pcap
// fuzz-seed: udp dns || nbns
// fuzz-seed-captures: ../shared/corpus/nDPI/pcap/dns.pcap ../shared/corpus/nDPI/pcap/netbios.pcap
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/dns/*.pcap
#include "dissectors/dns/dns.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::dns::Message a, b;
  ms::dns::parse(in, false, a);
  ms::dns::parse(in, true, b);
  fuzzharness::feed("dns", data, size);  // DNS over TCP (length-prefixed)
  fuzzharness::datagrams("dns", data, size);
  return 0;
}
