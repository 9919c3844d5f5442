// HL7 events -> inventory observations: sending and receiving applications,
// equipment (OBX-18), patient data on the wire. Reads the typed event
// (hl7_events.h): no JSON is parsed.
#include "dissectors/hl7/hl7_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_hl7(const ObserveCtx& c) {
  const hl7::Hl7Event* d = c.e.as<hl7::Hl7Event>();
  if (!d) return;
  // Event addresses are the flow's (src: the client). A message is the
  // client's; a lone acknowledgement (ack_code at the top) the server's.
  const std::string& sender = d->is_ack() ? c.dst : c.src;
  const std::string& receiver = d->is_ack() ? c.src : c.dst;
  // Values as the JSON line reads back (json_writer.h), as before.
  c.add(sender, "hl7_app", d->sending_application, "hl7.sending_application", kStated);
  if (d->carried_in != "smb") c.add(receiver, "hl7_app", d->receiving_application, "hl7.receiving_application", kSaid);
  for (const std::string& x : d->equipment) c.add(sender, "equipment", x, "hl7.obx18", kStated);
  // SFT (HL7 v2.5 §2.15.12): the software of the sending application, its
  // version the sender's own (the exposure matching reads it), its vendor
  // and product a text for the signatures.
  for (const hl7::Message::Software& s : d->software) {
    c.add(sender, "version", s.version, "hl7.sft", kStated);
    std::string text = s.vendor + (s.vendor.empty() || s.product.empty() ? "" : " ") + s.product;
    c.add(sender, "description", text, "hl7.sft", kDescribed);
  }
  if (d->phi) {
    c.add(c.src, "phi", "hl7", "hl7", kStated);
    c.add(c.dst, "phi", "hl7", "hl7", kStated);
  }
  // Roles come from messages, never from acknowledgements: the receiver of
  // an ACK is the original sender (a monitor sending ORU results), not an
  // engine. The receiver also notes who sent to it: an interface engine
  // receives from many senders (derive_steps.cc, type_from_roles).
  // A file dropped on a share: the server stores it, it does not receive HL7.
  if (d->is_ack() || d->carried_in == "smb") return;
  c.add(receiver, "role", "hl7_receiver", "hl7", kStated);
  c.add(sender, "role", "hl7_sender", "hl7", kStated);
  c.add(receiver, "hl7_from", sender, "hl7", kStated);
}

}  // namespace

MS_REGISTER_OBSERVER(hl7, {.event_type = "hl7", .typed = observe_hl7});
MS_REGISTER_APP_SECURITY(hl7, "hl7", "cleartext");

}  // namespace ms::inv
