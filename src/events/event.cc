// Serialisation of the event envelope.
#include "events/event.h"

namespace ms {

EventBuilder::EventBuilder(const Envelope& env, std::string_view event_type) : w_(ev_.json) {
  ev_.ts = env.ts;
  ev_.event_type = std::string(event_type);
  ev_.flow_id = env.flow_id;
  ev_.src_ip = env.src_ip;
  ev_.dest_ip = env.dest_ip;
  ev_.proto = env.proto;
  ev_.src_port = env.src_port;
  ev_.dest_port = env.dest_port;
  ev_.json.reserve(512);
  w_.begin_object();
  char ts[kTimeTextMax];
  w_.kv("timestamp", std::string_view(ts, format_time_to(ts, env.ts)));
  if (env.flow_id != 0) w_.kv("flow_id", env.flow_id);
  if (!env.src_ip.empty()) {
    w_.kv("src_ip", env.src_ip);
    if (env.has_ports) w_.kv("src_port", static_cast<unsigned>(env.src_port));
    w_.kv("dest_ip", env.dest_ip);
    if (env.has_ports) w_.kv("dest_port", static_cast<unsigned>(env.dest_port));
    w_.kv("proto", env.proto);
  }
  if (env.vlan_count > 0) {
    w_.key("vlan").begin_array();
    for (int i = 0; i < env.vlan_count; ++i) w_.value(static_cast<unsigned>(env.vlan[i]));
    w_.end_array();
  }
  w_.kv("event_type", event_type);
}

Event EventBuilder::finish() {
  w_.end_object();
  return std::move(ev_);
}

}  // namespace ms
