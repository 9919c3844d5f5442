// Events: the single currency between stages. A worker serialises each event
// into its EVE-like JSON line (in parallel, on the worker's thread) and keeps
// the envelope columns the output stage indexes in SQLite.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/types.h"

namespace ms {

// Columns of the `flows` table (one per flow event).
struct FlowRow {
  uint64_t flow_id = 0;
  std::string src_ip, dest_ip, proto, app_proto, vlan, state, reason;
  uint16_t src_port = 0, dest_port = 0;
  TimeNs start = 0, end = 0;
  uint64_t pkts_toserver = 0, pkts_toclient = 0, bytes_toserver = 0, bytes_toclient = 0;
  // Not in the `flows` table's columns (they are in its JSON): what the
  // inventory reads without parsing the line.
  uint8_t mac[2][6] = {};
  bool has_mac[2] = {false, false};
  uint8_t ttl[2] = {0, 0};
  bool answered = false;
  // What the detections read without parsing the line.
  uint8_t tcp_flags[2] = {0, 0};  // every flag each side sent
  bool data[2] = {false, false};  // each side sent payload
  uint8_t icmp_type = 0;          // of the first packet
};

// The typed form of an event (ARCHITECTURE.md "events", STYLE.md 12): what a
// downstream stage reads as struct members instead of parsing the JSON line.
// Each producer declares its struct beside its JSON writer; a consumer asks
// for the type it knows with `as<T>()`. Events that have no struct yet are
// JSON only (typed is null).
struct TypedEvent {
  virtual ~TypedEvent() = default;
};

struct Event {
  TimeNs ts = 0;
  std::string event_type;
  uint64_t flow_id = 0;  // 0: not tied to a flow
  std::string src_ip, dest_ip, proto;
  uint16_t src_port = 0, dest_port = 0;
  std::string json;  // the whole line, without the newline
  std::unique_ptr<FlowRow> flow;  // set for flow events
  std::unique_ptr<const TypedEvent> typed;  // the event's struct, when it has one
  template <typename T>
  const T* as() const {
    return dynamic_cast<const T*>(typed.get());
  }
};

// The envelope shared by every event (ARCHITECTURE.md "output"): what the
// event is about on the network. Empty addresses are left out of the JSON.
struct Envelope {
  TimeNs ts = 0;
  uint64_t flow_id = 0;
  std::string src_ip, dest_ip, proto;
  uint16_t src_port = 0, dest_port = 0;
  bool has_ports = false;
  uint16_t vlan[2] = {0, 0};
  uint8_t vlan_count = 0;
};

// Builds one event line: envelope, "event_type", then the caller writes the
// object named after the event type (and any sibling keys) into `w`.
class EventBuilder {
 public:
  EventBuilder(const Envelope& env, std::string_view event_type);
  JsonWriter& w() { return w_; }
  // Closes the line and returns the event (envelope columns filled in).
  Event finish();

 private:
  Event ev_;
  JsonWriter w_;
};

// A typed event: its JSON written once by the struct's own writer (the
// protocol's `<p>_log.cc`, the only code that knows its keys: T must have
// `void write_json(JsonWriter&) const`, writing the object named after the
// event type and any sibling keys), and the struct kept on the event for the
// stages downstream, which read its members instead of the JSON.
template <typename T>
Event make_event(const Envelope& env, std::string_view event_type, std::unique_ptr<T> t) {
  EventBuilder b(env, event_type);
  t->write_json(b.w());
  Event ev = b.finish();
  ev.typed = std::move(t);
  return ev;
}

// Where a stage puts the events it produces. Workers batch them and hand the
// batches to the output thread; tests collect them in memory.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(Event&& ev) = 0;
};

class VectorSink : public EventSink {
 public:
  void emit(Event&& ev) override { events.push_back(std::move(ev)); }
  std::vector<Event> events;
};

}  // namespace ms
