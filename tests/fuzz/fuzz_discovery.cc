// Fuzz target for the frame parsers (LLDP with LLDP-MED, CDP, ARP) and their
// frame dissectors (events built from whatever parsed).
//
// fuzz-replay: tests/fuzz/regressions_identity/ ../shared/corpus/zeek/testing/btest/Traces/lldp.pcap
// fuzz-replay: ../shared/corpus/zeek/testing/btest/Traces/cdp-v1.pcap
#include "dissectors/arp/arp.h"
#include "dissectors/cdp/cdp.h"
#include "dissectors/lldp/lldp.h"
#include "dissector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ms::Bytes in(data, size);
  ms::lldp::Info l;
  ms::lldp::parse(in, l);
  ms::cdp::Info c;
  ms::cdp::parse(in, c);
  ms::arp::Info a;
  ms::arp::parse(in, a);
  fuzzharness::frame(0x88cc, data, size);
  fuzzharness::frame(0x0806, data, size);
  fuzzharness::frame(static_cast<uint16_t>(size), data, size);  // an 802.3 length: LLC/SNAP (CDP)
  return 0;
}
