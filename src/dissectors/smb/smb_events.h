// What an `smb` event says (smb.schema.json; its JSON writer is smb_log.cc):
// one command answered (negotiate, session_setup with its NTLMSSP exchange,
// tree_connect, create), or a file's transfer totals when it is closed. Each
// key belongs to some commands only: absent members are absent keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"

namespace ms::smb {

// NTLMSSP (MS-NLMP): the client's AUTHENTICATE, the server's CHALLENGE
// target info. Empty strings are absent keys.
struct SmbNtlmssp {
  std::string domain, user, host, version;
  bool anonymous = false;
  std::string server_nb_computer, server_nb_domain, server_dns_computer, server_dns_domain, server_version;
};

struct SmbEvent : TypedEvent {
  std::string command;  // "negotiate", "session_setup", "tree_connect", "create", "file"
  int version = 0;      // 1, 2 (SMB2/3)
  std::optional<std::string> dialect;  // commands: "unknown" before negotiation
  std::optional<std::string> status;   // commands only: "STATUS_SUCCESS", ...
  std::optional<std::string> filename;  // create, file: scrubbed of identifiers
  std::optional<std::string> disposition;  // create
  std::optional<std::string> share, share_type;
  std::optional<SmbNtlmssp> ntlmssp;  // session_setup
  std::string server_os;              // session_setup (SMB1 NativeOS); empty: absent
  std::vector<std::string> dialects_offered;  // negotiate; empty: absent
  bool file = false;  // a file's totals: the byte counts are written
  uint64_t bytes_read = 0, bytes_written = 0;
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::smb
