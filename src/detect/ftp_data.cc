// FTP data connections (ftp_data.h).
#include "detect/ftp_data.h"

#include <algorithm>
#include <vector>

#include "detect/fields.h"

namespace ms::detect {

void FtpDataChannels::take(const Input& in, Context& ctx) {
  const JsonValue* o = in.object();
  if (!o) return;
  const JsonValue* ch = o->get("data_channel");
  if (!ch || ch->type != JsonValue::kObject || num(ch, "port") <= 0) return;
  // PASV/PORT name the data connection's destination; EPSV only its port on
  // the server.
  std::string host(str(ch, "host"));
  if (host.empty()) host = in.event().dest_ip;
  if (channels_.size() < kMaxFtpChannels) {
    channels_.insert(host + ' ' + std::to_string(num(ch, "port")));
  } else {
    ++ctx.stats.dropped_state;
  }
}

void FtpDataChannels::join(Candidates& cands) const {
  std::vector<std::string> keys;
  for (const auto& [key, c] : cands.all()) {
    if (c.protocol != "tcp") continue;
    auto it = c.lists.find("data_connections");
    if (it == c.lists.end()) continue;
    if (std::any_of(it->second.begin(), it->second.end(), [&](const std::string& s) { return channels_.count(s); }))
      keys.push_back(key);
  }
  for (const std::string& key : keys) cands.move_to_protocol(key, "ftp");
}

}  // namespace ms::detect
