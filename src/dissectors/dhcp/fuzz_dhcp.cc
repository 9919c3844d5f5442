// Fuzz target for DHCPv4 and DHCPv6: the parser on the raw input, then the dissector
// with the input as datagrams (split at 0xFF 0xFE markers), both directions.
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/zeek/testing/btest/Traces/dhcp/dhcp.pcap
// fuzz-seed: udp dhcp || dhcpv6
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/dhcp/*.pcap
// fuzz-seed-captures: ../shared/corpus/suricata-verify/tests/dhcp-*/input.pcap
#include "dissectors/dhcp/dhcp.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::dhcp::Message m4, m6;
  ms::dhcp::parse_v4(in, m4);
  ms::dhcp::parse_v6(in, m6);
  fuzzharness::datagrams("dhcpv6", data, size);
  fuzzharness::datagrams("dhcp", data, size);
  return 0;
}
