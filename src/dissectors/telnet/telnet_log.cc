// The `telnet` event's JSON (telnet.schema.json): the only code that knows
// its keys. Downstream stages read TelnetEvent itself.
#include "dissectors/telnet/telnet_events.h"

namespace ms::telnet {

void TelnetEvent::write_json(JsonWriter& w) const {
  w.key("telnet").begin_object();
  if (banner) w.kv("banner", *banner);
  if (!options.empty()) {
    w.key("options").begin_array();
    for (const std::string& o : options) w.value(o);
    w.end_array();
  }
  if (!terminal_type.empty()) w.kv("terminal_type", terminal_type);
  w.kv("login_prompt", login_prompt);
  if (!username.empty()) w.kv("username", username);
  if (!login_result.empty()) w.kv("login_result", login_result);
  if (!commands.empty()) {
    w.key("commands").begin_array();
    for (const std::string& c : commands) w.value(c);
    w.end_array();
    if (commands_truncated) w.kv("commands_truncated", true);
  }
  w.end_object();
}

}  // namespace ms::telnet
