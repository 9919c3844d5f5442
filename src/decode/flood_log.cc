// The `flood` event's JSON (schema/events.schema.json "flood_event"): the only
// code that knows its keys. Downstream stages read FloodEvent itself.
#include "decode/flood_meter.h"

namespace ms {

Event FloodEvent::to_event() const {
  Envelope env;
  env.ts = first;
  EventBuilder b(env, "flood");
  JsonWriter& w = b.w();
  w.key("flood").begin_object();
  w.kv("kind", flood_kind_name(kind));
  w.kv("target", target.str());
  if (kind == FloodKind::kSyn) {
    w.kv("port", static_cast<unsigned>(port));
  } else {
    w.kv("proto", ip_proto_name(proto));
  }
  w.kv("first", format_time(first));
  w.kv("last", format_time(last));
  w.kv("seconds", seconds);
  w.kv("packets", packets);
  w.kv("peak_pps", peak_pps);
  if (kind == FloodKind::kSyn) w.kv("answered", answered);
  w.kv("distinct_sources", distinct_sources);
  w.key("top_sources").begin_array();
  for (const TopSources::Entry& e : top_sources) {
    // At least this many (space-saving's guaranteed count).
    w.begin_object().kv("ip", e.ip.str()).kv("packets", e.count - e.error).end_object();
  }
  w.end_array();
  w.kv("ongoing", ongoing);
  w.end_object();
  Event ev = b.finish();
  ev.dest_ip = target.str();
  ev.proto = kind == FloodKind::kSyn ? "TCP" : ip_proto_name(proto);
  ev.dest_port = kind == FloodKind::kSyn ? port : 0;
  ev.typed = std::make_unique<FloodEvent>(*this);
  return ev;
}

}  // namespace ms
