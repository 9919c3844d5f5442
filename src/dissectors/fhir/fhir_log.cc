// The `fhir` event's JSON (src/dissectors/fhir/fhir.schema.json): the only
// code that knows its keys. Downstream stages read FhirEvent itself.
#include <algorithm>

#include "dissectors/fhir/fhir_events.h"

namespace ms::fhir {

namespace {

// Values that normalise alike (an id in two cases) are one token, once.
std::vector<std::string> tokens(const AppContext& ctx, const std::vector<std::string>& raw, const char* kind) {
  std::vector<std::string> seen;
  for (const auto& r : raw) {
    std::string t = ctx.phi(kind, r);
    if (!t.empty() && std::find(seen.begin(), seen.end(), t) == seen.end()) seen.push_back(std::move(t));
  }
  return seen;
}

void write_list(JsonWriter& w, JsonKey key, const std::vector<std::string>& v) {
  if (v.empty()) return;
  w.key(key).begin_array();
  for (const auto& t : v) w.value(t);
  w.end_array();
}

}  // namespace

void emit_event(AppContext& ctx, const Envelope& env, Summary&& s, std::optional<int> status) {
  auto ev = std::make_unique<FhirEvent>();
  ev->interaction = std::move(s.interaction);
  if (!s.id.empty()) ev->id = person_type(s.resource_type) ? ctx.phi("id", s.id) : std::move(s.id);
  ev->resource_type = std::move(s.resource_type);
  ev->status = status;
  ev->format = std::move(s.format);
  ev->bundle_type = std::move(s.bundle_type);
  ev->bundle_entries = s.bundle_entries;
  for (const auto& [type, n] : s.entry_types) ev->entry_types.emplace(type, n);
  ev->phi = !s.patient_ids.empty() || !s.patient_names.empty() || !s.birth_dates.empty();
  ev->patient_ids = tokens(ctx, s.patient_ids, "id");
  ev->patient_names = tokens(ctx, s.patient_names, "name");
  ev->birth_dates = tokens(ctx, s.birth_dates, "birth_date");
  ev->truncated = s.truncated;
  ctx.emit(make_event(env, "fhir", std::move(ev)));
}

void FhirEvent::write_json(JsonWriter& w) const {
  w.key("fhir").begin_object();
  w.kv("interaction", interaction);
  if (!resource_type.empty()) w.kv("resource_type", resource_type);
  if (id) w.kv("id", *id);
  if (status) w.kv("status", *status);
  if (!format.empty()) w.kv("format", format);
  if (has_bundle()) {
    w.key("bundle").begin_object();
    if (!bundle_type.empty()) w.kv("type", bundle_type);
    w.kv("entries", bundle_entries);
    w.key("resource_types").begin_object();
    for (const auto& [type, n] : entry_types) w.kv(type, n);
    w.end_object();
    w.end_object();
  }
  w.kv("phi", phi);
  write_list(w, "patient_ids", patient_ids);
  write_list(w, "patient_names", patient_names);
  write_list(w, "birth_dates", birth_dates);
  if (truncated) w.kv("truncated", true);
  w.end_object();
}

}  // namespace ms::fhir
