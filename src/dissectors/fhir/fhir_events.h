// The `fhir` event as a struct (ARCHITECTURE.md "events"): one FHIR
// interaction over HTTP. The inventory observer and the detection rules read
// these members; fhir_log.cc writes them as JSON (the only code that knows
// the keys) and builds the event from an analysed transaction. Patient
// fields hold tokens, never values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/fhir/fhir.h"
#include "events/event.h"

namespace ms::fhir {

struct FhirEvent : TypedEvent {
  std::string interaction;    // read, search, create, ... (fhir.h Summary)
  std::string resource_type;  // "" when unknown
  // The logical id from the URL; a token for a person's resource (which may
  // be "" when the id normalises to nothing).
  std::optional<std::string> id;
  std::optional<int> status;  // HTTP status, when a response came
  std::string format;         // json, xml, ""
  std::string bundle_type;
  uint64_t bundle_entries = 0;
  std::map<std::string, uint64_t> entry_types;  // bundle entries per resource type
  bool phi = false;  // patient identities were in the bodies
  std::vector<std::string> patient_ids, patient_names, birth_dates;  // tokens, each once
  bool truncated = false;

  bool has_bundle() const { return !bundle_type.empty() || bundle_entries; }
  void write_json(JsonWriter& w) const;
};

// Emits the `fhir` event of an analysed transaction (from the HTTP
// dissector): identifiers become tokens here, and go no further.
void emit_event(AppContext& ctx, const Envelope& env, Summary&& s, std::optional<int> status);

}  // namespace ms::fhir
