// The inventory's facade (inventory.h): which events feed the observations,
// and the end of a run (write out, derive).
#include "inventory/inventory.h"

#include "dissectors/hl7/hl7_events.h"
#include "inventory/knowledge.h"

namespace ms::inv {

Inventory::Inventory(const Options& opt)
    : opt_(opt),
      db_(opt.db_path, true),
      writer_(db_, opt.capture_key, opt.capture_files),
      aggregator_(opt.max_devices, writer_, stats_) {}

void Inventory::prepare() {
  OuiRegistry::instance();
  signatures();
  eol_table();
  canonical_vendor("x");
  dhcp_fingerprint("");
}

void Inventory::add(const Event& e) {
  // (observe() finds the event type's observer: not looked up here too.)
  // An HL7 connection carries the same applications message after message:
  // the first two of a connection are read, then only those that carry
  // patient data when that was not seen yet (its struct's `phi`: one
  // observation pass instead of nine on the bench's feeds). Per connection, so the same for any number of workers.
  if (e.event_type == "hl7" && e.flow_id) {
    if (hl7_seen_.size() > 200000) hl7_seen_.clear();
    uint8_t& st = hl7_seen_[e.flow_id];  // low bits: messages read; 0x80: PHI seen
    const hl7::Hl7Event* h = e.as<hl7::Hl7Event>();
    bool phi = h && h->phi;
    if ((st & 0x7f) >= 2 && (!phi || (st & 0x80))) return;
    if ((st & 0x7f) < 2) ++st;
    if (phi) st |= 0x80;
  }
  // A flow's final record comes after its application events (the flow
  // engine ends the dissectors first): its entry is done with. Without this
  // a sensor that runs for days kept one per HL7 connection ever seen.
  if (e.flow && e.flow->reason != "active_timeout" && !hl7_seen_.empty()) hl7_seen_.erase(e.flow_id);
  if (flow_signature(e, signature_)) {
    const FlowRow& f = *e.flow;
    aggregator_.add_flow(signature_, e.ts, f.end, e.flow_id, f.bytes_toserver + f.bytes_toclient,
                         [&e](const ObservationSink& sink) { observe(e, sink); });
    return;
  }
  observe(e, [this](Observation&& o) { aggregator_.add(std::move(o)); });
}

std::vector<Event> Inventory::finish() {
  aggregator_.flush();
  return derive_devices(db_, stats_);
}

}  // namespace ms::inv
