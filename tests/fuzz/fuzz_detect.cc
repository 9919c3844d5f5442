// Fuzz target for the detections: event lines (JSON, as in events.jsonl)
// whose strings come from the wire, flow lines turned into the FlowRow the
// flow engine hands over, through every rule, the judging (with facts that
// make every address a medical device, so every severity path runs), the
// alert events and an in-memory alerts table.
//
// A capture input (pcap/pcapng magic) instead goes through the real
// dissectors, so the rules read their typed events.
//
// fuzz-replay: tests/fuzz/regressions_detect/ samples/clinic-sample.pcap
// fuzz-replay: ../shared/corpus/nDPI-2025/pcap/dicom.pcap ../shared/corpus/nDPI/pcap/ftp.pcap
#include <string>
#include <string_view>

#include "capture_input.h"
#include "common/json_reader.h"
#include "detect/engine.h"
#include "inventory/inventory.h"

namespace {

uint8_t hex_flags(const ms::JsonValue* v) {
  if (!v || v->str().size() != 2) return 0;
  return static_cast<uint8_t>(std::strtoul(std::string(v->str()).c_str(), nullptr, 16));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  ms::detect::Config cfg = ms::detect::default_config();
  cfg.thresholds.scan_hosts = cfg.thresholds.scan_ports = cfg.thresholds.scan_targets = 2;
  cfg.thresholds.brute_force_failures = cfg.thresholds.harvest_broad_queries = cfg.thresholds.harvest_queries = 2;
  ms::detect::Engine eng(cfg);
  ms::detect::Facts facts;
  if (is_capture(data, size)) {
    int n = 0;
    for (const ms::Event& e : capture_events(data, size)) {
      for (const std::string& ip : {e.src_ip, e.dest_ip}) {
        ms::detect::DeviceFacts& f = facts[ip];
        f.medical = ++n % 2;
        f.type = n % 3 ? "infusion pump" : "PACS/archive";
      }
      eng.add(e);
    }
    ms::detect::alert_events(eng.finish(facts));
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
    if (const ms::JsonValue* s = v.get("src_ip")) e.src_ip = std::string(s->str());
    if (const ms::JsonValue* d = v.get("dest_ip")) e.dest_ip = std::string(d->str());
    if (const ms::JsonValue* p = v.get("proto")) e.proto = std::string(p->str());
    e.ts = static_cast<ms::TimeNs>(lines % 7) * 1'000'000'000LL;
    e.flow_id = static_cast<uint64_t>(lines % 5) + 1;
    e.json = std::string(line);
    for (const std::string& ip : {e.src_ip, e.dest_ip}) {
      ms::detect::DeviceFacts& f = facts[ip];
      f.medical = lines % 2;
      f.type = lines % 3 ? "infusion pump" : "PACS/archive";
      f.os_eol = true;
    }
    if (e.event_type == "flow") {
      auto row = std::make_unique<ms::FlowRow>();
      row->flow_id = e.flow_id;
      row->src_ip = e.src_ip;
      row->dest_ip = e.dest_ip;
      row->proto = e.proto;
      row->start = e.ts;
      row->end = e.ts + 1000;
      if (const ms::JsonValue* t = v.get("tcp")) {
        row->tcp_flags[0] = hex_flags(t->get("tcp_flags_ts"));
        row->tcp_flags[1] = hex_flags(t->get("tcp_flags_tc"));
      }
      row->data[0] = row->data[1] = lines % 4 == 0;
      row->dest_port = static_cast<uint16_t>(lines * 7);
      row->icmp_type = static_cast<uint8_t>(lines % 2 ? 8 : 128);
      e.flow = std::move(row);
    }
    eng.add(e);
  }
  std::vector<ms::detect::Alert> alerts = eng.finish(facts);
  ms::detect::alert_events(alerts);
  ms::inv::Options opt;
  opt.db_path = ":memory:";
  opt.capture_key = "fuzz";
  ms::inv::Inventory inv(opt);
  ms::detect::store_alerts(inv.db(), inv.capture_id(), alerts);
  return 0;
}
