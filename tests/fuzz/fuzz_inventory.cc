// Fuzz target for the inventory: either a capture (pcap/pcapng, or the
// packet path's compact form after a pcap magic) through the real dissectors,
// whose typed events the observers read; or event lines (JSON, one per line,
// as in events.jsonl) whose strings come from the wire, for the observers
// that still read JSON. Then the aggregation, an in-memory inventory database
// and the derivation of device records (signatures, OS and vendor rules run
// on every value).
//
// fuzz-replay: tests/fuzz/regressions_inventory/ samples/clinic-sample.pcap
// fuzz-replay: ../shared/corpus/nDPI-2025/pcap/hl7.pcap ../shared/corpus/zeek/testing/btest/Traces/dhcp/dhcp.pcap
#include <string>
#include <string_view>

#include "capture_input.h"
#include "common/json_reader.h"
#include "inventory/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  ms::inv::Options opt;
  opt.db_path = ":memory:";
  opt.capture_key = "fuzz";
  opt.max_devices = 4;  // evictions on every input with a few devices
  ms::inv::Inventory inv(opt);
  if (is_capture(data, size)) {
    for (const ms::Event& e : capture_events(data, size)) inv.add(e);
    inv.finish();
    return 0;
  }
  size_t i = 0;
  int lines = 0;
  while (i < all.size() && lines++ < 64) {
    size_t j = all.find('\n', i);
    if (j == std::string_view::npos) j = all.size();
    std::string_view line = all.substr(i, j - i);
    i = j + 1;
    ms::JsonValue v;
    if (ms::parse_json(line, v) != nullptr || v.type != ms::JsonValue::kObject) continue;
    ms::Event e;
    e.event_type = std::string(v.get("event_type") ? v.get("event_type")->str() : "");
    if (e.event_type == "flow") continue;  // flows come as FlowRow structs, not JSON
    if (const ms::JsonValue* s = v.get("src_ip")) e.src_ip = std::string(s->str());
    if (const ms::JsonValue* d = v.get("dest_ip")) e.dest_ip = std::string(d->str());
    e.ts = static_cast<ms::TimeNs>(lines) * 1000;
    e.flow_id = static_cast<uint64_t>(lines);
    e.json = std::string(line);
    inv.add(e);
  }
  inv.finish();
  return 0;
}
