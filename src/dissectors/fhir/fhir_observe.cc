// FHIR events -> inventory observations: FHIR servers and patient data on the
// wire. (FHIR travels over HTTP: its flows' app_proto is "http"; the
// "fhir" security entry is kept for a FHIR-named flow.) Reads the typed
// event (fhir_events.h): no JSON is parsed.
#include "dissectors/fhir/fhir_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_fhir(const ObserveCtx& c) {
  const fhir::FhirEvent* d = c.e.as<fhir::FhirEvent>();
  if (!d) return;
  c.add(c.dst, "role", "fhir_server", "fhir", kStated);
  if (d->phi) {
    c.add(c.src, "phi", "fhir", "fhir", kStated);
    c.add(c.dst, "phi", "fhir", "fhir", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(fhir, {.event_type = "fhir", .typed = observe_fhir});
MS_REGISTER_APP_SECURITY(fhir, "fhir", "cleartext");

}  // namespace ms::inv
