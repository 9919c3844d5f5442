// The `dns` event's JSON (dns.schema.json): the only code that knows its keys.
#include "dissectors/dns/dns_events.h"

namespace ms::dns {

namespace {

void write_type(JsonWriter& w, uint16_t t, bool nbns) {
  const char* n = nbns && t == 33 ? "NBSTAT" : type_name(t);
  if (n) w.kv("rrtype", n);
  else w.kv("rrtype", std::to_string(t));
}

void write_records(JsonWriter& w, JsonKey key, const std::vector<Record>& rs, bool nbns) {
  if (rs.empty()) return;
  w.key(key).begin_array();
  for (const Record& r : rs) {
    w.begin_object();
    w.kv("rrname", r.name);
    write_type(w, r.type, nbns);
    w.kv("ttl", static_cast<uint64_t>(r.ttl));
    if (!r.rdata.empty()) w.kv("rdata", r.rdata);
    if (!r.txt.empty()) {
      w.key(nbns ? "names" : "txt").begin_array();
      for (const auto& t : r.txt) w.value(t);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
}

}  // namespace

void DnsEvent::write_json(JsonWriter& w) const {
  const Message& m = msg;
  w.key("dns").begin_object();
  w.kv("protocol", protocol);
  w.kv("type", m.response ? "response" : "query");
  w.kv("id", static_cast<unsigned>(m.id));
  w.kv("opcode", static_cast<unsigned>(m.opcode));
  if (m.response) w.kv("rcode", static_cast<unsigned>(m.rcode));
  if (rtt >= 0) w.kv("rtt", static_cast<double>(rtt) / kNsPerSec);
  if (!m.questions.empty()) {
    w.key("queries").begin_array();
    for (const Question& q : m.questions) {
      w.begin_object();
      w.kv("rrname", q.name);
      write_type(w, q.type, nbns);
      w.end_object();
    }
    w.end_array();
  }
  write_records(w, "answers", m.answers, nbns);
  write_records(w, "authorities", m.authorities, nbns);
  write_records(w, "additionals", m.additionals, nbns);
  if (!host_names.empty()) {
    w.key("host_names").begin_array();
    for (const auto& n : host_names) w.value(n);
    w.end_array();
  }
  w.end_object();
}

}  // namespace ms::dns
