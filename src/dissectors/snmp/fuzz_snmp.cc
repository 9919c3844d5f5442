// Fuzz target for SNMP v1/v2c/v3 (BER): the parser on the raw input, then the dissector
// with the input as datagrams (split at 0xFF 0xFE markers), both directions.
//
// fuzz-replay: tests/fuzz/regressions_identity/
// fuzz-replay: ../shared/corpus/zeek/testing/btest/Traces/snmp/snmpv1_get.pcap
// fuzz-seed: udp snmp
// fuzz-seed-captures: ../shared/corpus/zeek/testing/btest/Traces/snmp/*.pcap
// fuzz-seed-captures: ../shared/corpus/suricata-verify/tests/snmp-*/*.pcap
#include "dissectors/snmp/snmp.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::snmp::Message m;
  ms::snmp::parse(in, m);
  ms::snmp::oid_string(in);
  fuzzharness::datagrams("snmp", data, size);
  return 0;
}
