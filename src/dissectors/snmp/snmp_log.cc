// The `snmp` event's JSON (snmp.schema.json): the only code that knows its
// keys, and the fields derived from the message that the JSON, the inventory
// and the detections share.
#include <algorithm>

#include "dissectors/snmp/snmp_events.h"

namespace ms::snmp {

const char* value_name(const std::string& oid) {
  static const struct {
    const char* prefix;
    const char* name;
  } known[] = {
      {"1.3.6.1.2.1.1.1.0", "sys_descr"},      {"1.3.6.1.2.1.1.2.0", "sys_object_id"},
      {"1.3.6.1.2.1.1.3.0", "sys_uptime"},     {"1.3.6.1.2.1.1.4.0", "sys_contact"},
      {"1.3.6.1.2.1.1.5.0", "sys_name"},       {"1.3.6.1.2.1.1.6.0", "sys_location"},
      {"1.3.6.1.2.1.47.1.1.1.1.2.", "ent_descr"}, {"1.3.6.1.2.1.47.1.1.1.1.8.", "ent_hardware_rev"},
      {"1.3.6.1.2.1.47.1.1.1.1.9.", "ent_firmware_rev"}, {"1.3.6.1.2.1.47.1.1.1.1.10.", "ent_software_rev"},
      {"1.3.6.1.2.1.47.1.1.1.1.11.", "ent_serial"}, {"1.3.6.1.2.1.47.1.1.1.1.12.", "ent_mfg_name"},
      {"1.3.6.1.2.1.47.1.1.1.1.13.", "ent_model_name"},
  };
  for (const auto& k : known) {
    std::string_view p(k.prefix);
    if (p.back() == '.' ? oid.starts_with(p) : oid == p) return k.name;
  }
  return nullptr;
}

void SnmpEvent::derive() {
  const Message& m = msg;
  version = m.version == 0 ? 1 : m.version == 1 ? 2 : 3;
  const char* n = pdu_name(m.pdu_tag);
  pdu_type = n ? n : "";
  // Requests (get, get-next, get-bulk: RFC 3416 §4.2) carry no values.
  bool any = std::any_of(m.vars.begin(), m.vars.end(), [](const VarBind& v) { return !v.value.empty() && v.tag != 0x05; });
  has_values = any && m.pdu_tag != 0xa0 && m.pdu_tag != 0xa1 && m.pdu_tag != 0xa5;
}

void SnmpEvent::write_json(JsonWriter& w) const {
  const Message& m = msg;
  w.key("snmp").begin_object();
  w.kv("version", version);
  if (!pdu_type.empty()) w.kv("pdu_type", pdu_type);
  if (m.version == 3) {
    w.kv("security_level", (m.v3_flags & 3) == 3 ? "authPriv" : (m.v3_flags & 1) ? "authNoPriv" : "noAuthNoPriv");
    if (!m.user.empty()) w.kv("usm_user", m.user);
    if (!m.engine_id.empty()) w.kv("engine_id", m.engine_id);
    if (m.encrypted) w.kv("encrypted", true);
  }
  if (m.pdu_tag == 0xa4) {
    w.kv("trap_enterprise", m.enterprise);
    if (!m.agent_addr.empty()) w.kv("trap_address", m.agent_addr);
    w.kv("trap_generic", m.generic_trap);
    w.kv("trap_specific", m.specific_trap);
  } else if (m.pdu_tag) {
    w.kv("request_id", m.request_id);
    if (m.error_status) w.kv("error_status", m.error_status);
  }
  if (!m.vars.empty()) {
    w.key("vars").begin_array();
    for (const VarBind& v : m.vars) w.value(v.oid);
    w.end_array();
    if (has_values) {
      w.key("values").begin_array();
      for (const VarBind& v : m.vars) {
        if (v.value.empty()) continue;
        w.begin_object();
        w.kv("oid", v.oid);
        if (const char* n = value_name(v.oid)) w.kv("name", n);
        w.kv("value", v.value);
        w.end_object();
      }
      w.end_array();
    }
  }
  w.end_object();
}

}  // namespace ms::snmp
