// What an `ftp` event says (ftp.schema.json; its JSON writer is ftp_log.cc):
// the server's greeting, or one command with its reply and the data
// connection it announces (RFC 959 §4.1.2 PASV/PORT, RFC 2428 EPSV).
#pragma once

#include <optional>
#include <string>

#include "events/event.h"

namespace ms::ftp {

struct FtpDataChannel {
  bool passive = false;
  std::optional<std::string> host;  // PASV/PORT name it; EPSV gives only a port
  int port = 0;
};

struct FtpEvent : TypedEvent {
  // The greeting ("220 ..."): banner and reply_code only.
  bool greeting = false;
  std::string banner;
  // A command: arg is scrubbed of identifiers; user is the login so far
  // (empty: absent); reply_code 0: no reply (reply absent too).
  std::string command, arg, user, reply;
  int reply_code = 0;
  std::optional<FtpDataChannel> data_channel;
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::ftp
