// The `ftp` event's JSON (ftp.schema.json): the only code that knows its keys.
// Downstream stages read FtpEvent itself.
#include "dissectors/ftp/ftp_events.h"

namespace ms::ftp {

void FtpEvent::write_json(JsonWriter& w) const {
  w.key("ftp").begin_object();
  if (greeting) {
    w.kv("banner", banner);
    w.kv("reply_code", reply_code);
    w.end_object();
    return;
  }
  w.kv("command", command);
  if (!arg.empty()) w.kv("arg", arg);
  if (!user.empty()) w.kv("user", user);
  if (reply_code) {
    w.kv("reply_code", reply_code);
    w.kv("reply", reply);
  }
  if (data_channel) {
    w.key("data_channel").begin_object();
    w.kv("passive", data_channel->passive);
    if (data_channel->host) w.kv("host", *data_channel->host);
    w.kv("port", data_channel->port);
    w.end_object();
  }
  w.end_object();
}

}  // namespace ms::ftp
