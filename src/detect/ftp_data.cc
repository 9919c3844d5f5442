// FTP data connections (ftp_data.h).
#include "detect/ftp_data.h"

#include <algorithm>
#include <vector>

#include "detect/fields.h"
#include "dissectors/ftp/ftp_events.h"

namespace ms::detect {

void FtpDataChannels::take(const Input& in, Context& ctx) {
  const ftp::FtpEvent* o = in.event().as<ftp::FtpEvent>();
  if (!o || !o->data_channel || o->data_channel->port <= 0) return;
  const ftp::FtpDataChannel& ch = *o->data_channel;
  // PASV/PORT name the data connection's destination; EPSV only its port on
  // the server.
  std::string host = ch.host.value_or(std::string());
  if (host.empty()) host = in.event().dest_ip;
  std::string key = host + ' ' + std::to_string(ch.port);
  auto it = channels_.find(key);
  if (it != channels_.end()) {
    it->second = std::max(it->second, in.event().ts);
  } else if (channels_.size() < kMaxFtpChannels) {
    channels_.emplace(std::move(key), in.event().ts);
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

void FtpDataChannels::expire(const Expiry& x) {
  drop_idle(channels_, x.before, [](TimeNs last) { return last; });
}

}  // namespace ms::detect
