// HL7 events -> inventory observations: sending and receiving applications,
// equipment (OBX-18), patient data on the wire.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_hl7(const ObserveCtx& c, const JsonValue& d) {
  // Event addresses are the flow's (src: the client). A message is the
  // client's; a lone acknowledgement (ack_code at the top) the server's.
  bool ack = d.get("ack_code") != nullptr;
  const std::string& sender = ack ? c.dst : c.src;
  const std::string& receiver = ack ? c.src : c.dst;
  c.add(sender, "hl7_app", str(&d, "sending_application"), "hl7.sending_application", kStated);
  c.add(receiver, "hl7_app", str(&d, "receiving_application"), "hl7.receiving_application", kSaid);
  if (const JsonValue* eq = d.get("equipment")) {
    for (const JsonValue& x : eq->items) c.add(sender, "equipment", x.str(), "hl7.obx18", kStated);
  }
  if (truthy(&d, "phi")) {
    c.add(c.src, "phi", "hl7", "hl7", kStated);
    c.add(c.dst, "phi", "hl7", "hl7", kStated);
  }
  c.add(receiver, "role", "hl7_receiver", "hl7", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(hl7, {"hl7", observe_hl7});
MS_REGISTER_APP_SECURITY(hl7, "hl7", "cleartext");

}  // namespace ms::inv
