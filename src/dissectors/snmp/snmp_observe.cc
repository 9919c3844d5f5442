// SNMP events -> inventory observations: what an agent says of itself in
// its system and entity MIB values (responses, traps, informs).
#include "dissectors/snmp/snmp_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_snmp(const ObserveCtx& c) {
  const snmp::SnmpEvent* ev = c.e.as<snmp::SnmpEvent>();
  if (!ev) return;
  std::string_view pdu = ev->pdu_type;
  bool from_agent = pdu == "get_response" || pdu == "response" || pdu.find("trap") != std::string_view::npos ||
                    pdu == "inform_request" || pdu == "report";
  if (!from_agent || !ev->has_values) return;
  // Event addresses are the flow's: a response comes from its server, a
  // trap or inform from its client.
  bool trap = pdu.find("trap") != std::string_view::npos || pdu == "inform_request";
  const std::string& agent = trap ? c.src : c.dst;
  for (const snmp::VarBind& v : ev->msg.vars) {
    const char* name = v.value.empty() ? nullptr : snmp::value_name(v.oid);
    if (!name) continue;
    std::string_view n = name;
    const std::string& val = v.value;
    if (n == "sys_descr") c.add(agent, "description", val, "snmp.sys_descr", kDescribed);
    else if (n == "sys_object_id") c.add(agent, "snmp_object_id", val, "snmp.sys_object_id", kStated);
    else if (n == "sys_name") c.add(agent, "hostname", val, "snmp.sys_name", kNamed);
    else if (n == "ent_model_name") c.add(agent, "model", val, "snmp.ent_model_name", kStated);
    else if (n == "ent_mfg_name") c.add(agent, "manufacturer", val, "snmp.ent_mfg_name", kStated);
    else if (n == "ent_serial") c.add(agent, "serial", val, "snmp.ent_serial", kStated);
    else if (n == "ent_firmware_rev" || n == "ent_software_rev") c.add(agent, "version", val, "snmp.ent_rev", kStated);
    else if (n == "ent_descr") c.add(agent, "description", val, "snmp.ent_descr", kDescribed);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(snmp, {.event_type = "snmp", .typed = observe_snmp});
MS_REGISTER_APP_SECURITY(snmp, "snmp", "cleartext");

}  // namespace ms::inv
