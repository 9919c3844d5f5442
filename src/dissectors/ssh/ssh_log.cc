// The `ssh` event's JSON (ssh.schema.json): the only code that knows its keys.
// Downstream stages read SshEvent itself.
#include "dissectors/ssh/ssh_events.h"

namespace ms::ssh {

namespace {

void write_side(JsonWriter& w, const char* name, const SshSide& s) {
  w.key(name).begin_object();
  w.kv("proto_version", s.proto_version);
  w.kv("software_version", s.software_version);
  if (!s.comments.empty()) w.kv("comments", s.comments);
  if (s.kexinit) {
    w.key("hassh").begin_object();
    w.kv("hash", s.hassh_hash);
    w.kv("string", s.hassh_string);
    w.end_object();
    w.kv("host_key_algorithms", s.host_key_algorithms);
  }
  if (s.host_key) {
    w.key("host_key").begin_object();
    if (!s.host_key->type.empty()) w.kv("type", s.host_key->type);
    w.kv("md5", s.host_key->md5);
    w.kv("sha256", s.host_key->sha256);
    w.end_object();
  }
  w.end_object();
}

}  // namespace

void SshEvent::write_json(JsonWriter& w) const {
  w.key("ssh").begin_object();
  if (side[0]) write_side(w, "client", *side[0]);
  if (side[1]) write_side(w, "server", *side[1]);
  if (!kex_algorithm.empty()) w.kv("kex_algorithm", kex_algorithm);
  w.end_object();
}

}  // namespace ms::ssh
