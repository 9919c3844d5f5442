// The `smb` event's JSON (smb.schema.json): the only code that knows its keys.
// Downstream stages read SmbEvent itself.
#include "dissectors/smb/smb_events.h"

namespace ms::smb {

namespace {

void opt(JsonWriter& w, JsonKey k, const std::string& v) {
  if (!v.empty()) w.kv(k, v);
}

void write_ntlmssp(JsonWriter& w, const SmbNtlmssp& n) {
  w.key("ntlmssp").begin_object();
  opt(w, "domain", n.domain);
  opt(w, "user", n.user);
  opt(w, "host", n.host);
  opt(w, "version", n.version);
  if (n.anonymous) w.kv("anonymous", true);
  opt(w, "server_nb_computer", n.server_nb_computer);
  opt(w, "server_nb_domain", n.server_nb_domain);
  opt(w, "server_dns_computer", n.server_dns_computer);
  opt(w, "server_dns_domain", n.server_dns_domain);
  opt(w, "server_version", n.server_version);
  w.end_object();
}

}  // namespace

void SmbEvent::write_json(JsonWriter& w) const {
  w.key("smb").begin_object();
  w.kv("command", command);
  w.kv("version", version);
  if (dialect) w.kv("dialect", *dialect);
  if (status) w.kv("status", *status);
  if (filename) w.kv("filename", *filename);
  if (disposition) w.kv("disposition", *disposition);
  if (share) w.kv("share", *share);
  if (share_type) w.kv("share_type", *share_type);
  if (ntlmssp) write_ntlmssp(w, *ntlmssp);
  opt(w, "server_os", server_os);
  if (!dialects_offered.empty()) {
    w.key("dialects_offered").begin_array();
    for (const std::string& d : dialects_offered) w.value(d);
    w.end_array();
  }
  if (file) {
    w.kv("bytes_read", bytes_read);
    w.kv("bytes_written", bytes_written);
  }
  w.end_object();
}

}  // namespace ms::smb
