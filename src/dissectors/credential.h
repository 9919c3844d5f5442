// The `credential` event, shared by every protocol that carries a user name or
// a secret in clear (HTTP Basic, FTP, Telnet, SNMP communities, NTLMSSP,
// RDP cookies, DICOM user identity). A password is looked at in memory only:
// it leaves as a strength verdict and as "matches a known vendor default"
// (data/default_credentials.csv, compiled in), never in clear.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dissectors/dissector.h"
#include "events/event.h"

namespace ms {

struct Credential {
  std::string_view protocol;    // "http", "ftp", "telnet", "snmp", "ntlmssp", "rdp", "dicom"
  std::string_view method;      // how it was sent: "basic", "user_pass", "community", ...
  std::string_view username;    // may be empty (an SNMP community has none)
  std::string_view domain;      // NTLMSSP
  std::string_view workstation; // NTLMSSP
  bool password_seen = false;
  std::string_view password;    // transient: never written
  // "success", "failure" or "unknown" (the protocol did not show it).
  std::string_view result = "unknown";
};

// The policy hospitals are told to require: 8+ characters with letters,
// digits and symbols. "empty", "weak" or "strong".
const char* password_strength(std::string_view password);

struct DefaultMatch {
  bool matched = false;
  bool medical = false;             // one of the matching rows is a medical product
  std::vector<std::string> vendors; // up to 5, medical first
};
// Does (user, password) appear in the default-credential list? A password
// alone (user empty) matches the rows without a user name only. User names
// compare case-insensitively, passwords exactly.
DefaultMatch match_default(std::string_view user, std::string_view password);
size_t default_credential_rows();

// What a `credential` event says (its JSON writer is credential_log.cc): the
// verdicts on the password, never the password. Strings are as written
// (user, domain and workstation cut at 256 bytes); absent keys are empty.
struct CredentialEvent : TypedEvent {
  std::string protocol, method, username, domain, workstation;
  bool password_seen = false;
  // Set only when password_seen:
  std::string_view password_strength;  // "empty", "weak", "strong" (static)
  bool default_credential = false;
  bool default_medical = false;            // when default_credential
  std::vector<std::string> default_vendors;  // when default_credential
  std::string result;  // "success", "failure" or "unknown"
  void write_json(JsonWriter& w) const;
};

// Emits the `credential` event of one login: the password is judged here and
// forgotten.
void emit_credential(AppContext& ctx, const Credential& c);

}  // namespace ms
