// What an `ssh` event says (ssh.schema.json; its JSON writer is ssh_log.cc):
// each side's identification string (RFC 4253 §4.2), its key-exchange
// fingerprint (HASSH) and the server's host key, one per connection.
#pragma once

#include <optional>
#include <string>

#include "events/event.h"

namespace ms::ssh {

struct SshHostKey {
  std::string type;  // empty: absent
  std::string md5, sha256;  // "aa:bb:...", "SHA256:<base64>"
};

struct SshSide {
  std::string proto_version, software_version, comments;  // comments empty: absent
  // With a KEXINIT (HASSH: the client's c2s lists; HASSHServer: the server's
  // s2c lists; the string cut at 4096 bytes, the algorithms at 1024).
  bool kexinit = false;
  std::string hassh_hash, hassh_string, host_key_algorithms;
  std::optional<SshHostKey> host_key;  // the server's only
};

struct SshEvent : TypedEvent {
  std::optional<SshSide> side[2];  // client, server: absent without a version line
  std::string kex_algorithm;       // empty: absent
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::ssh
