// Fuzz target for the inventory: a capture (pcap/pcapng, or the packet
// path's compact form, capture_input.h) through the real dissectors, whose
// typed events the observers read (the inventory reads no JSON); then the
// aggregation, an in-memory inventory database and the derivation of device
// records (signatures, OS and vendor rules run on every value).
//
// fuzz-replay: tests/fuzz/regressions_inventory/ samples/clinic-sample.pcap
// fuzz-replay: ../shared/corpus/nDPI-2025/pcap/hl7.pcap ../shared/corpus/zeek/testing/btest/Traces/dhcp/dhcp.pcap
#include <string>
#include <string_view>

#include "capture_input.h"
#include "inventory/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 262144) return 0;
  ms::inv::Options opt;
  opt.db_path = ":memory:";
  opt.capture_key = "fuzz";
  opt.max_devices = 4;  // evictions on every input with a few devices
  ms::inv::Inventory inv(opt);
  for (const ms::Event& e : capture_events(data, size)) inv.add(e);
  inv.finish();
  return 0;
}
