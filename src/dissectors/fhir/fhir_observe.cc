// FHIR events -> inventory observations: FHIR servers and patient data on the
// wire. (FHIR travels over HTTP: its flows' app_proto is "http"; the
// "fhir" security entry is kept for a FHIR-named flow.)
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_fhir(const ObserveCtx& c, const JsonValue& d) {
  c.add(c.dst, "role", "fhir_server", "fhir", kStated);
  if (truthy(&d, "phi")) {
    c.add(c.src, "phi", "fhir", "fhir", kStated);
    c.add(c.dst, "phi", "fhir", "fhir", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(fhir, {"fhir", observe_fhir});
MS_REGISTER_APP_SECURITY(fhir, "fhir", "cleartext");

}  // namespace ms::inv
