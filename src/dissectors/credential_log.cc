// The `credential` event's JSON (credential.schema.json): the only code that
// knows its keys. Downstream stages read CredentialEvent itself.
#include "dissectors/credential.h"

namespace ms {

void CredentialEvent::write_json(JsonWriter& w) const {
  w.key("credential").begin_object();
  w.kv("protocol", protocol);
  if (!method.empty()) w.kv("method", method);
  if (!username.empty()) w.kv("username", username);
  if (!domain.empty()) w.kv("domain", domain);
  if (!workstation.empty()) w.kv("workstation", workstation);
  w.kv("password_seen", password_seen);
  if (password_seen) {
    w.kv("password_strength", password_strength);
    w.kv("default_credential", default_credential);
    if (default_credential) {
      w.kv("default_medical", default_medical);
      w.key("default_vendors").begin_array();
      for (const auto& v : default_vendors) w.value(v);
      w.end_array();
    }
  }
  w.kv("result", result);
  w.end_object();
}

}  // namespace ms
