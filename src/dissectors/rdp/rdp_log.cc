// The `rdp` event's JSON (rdp.schema.json): the only code that knows its keys.
// Downstream stages read RdpEvent itself.
#include "dissectors/rdp/rdp_events.h"

namespace ms::rdp {

void RdpEvent::write_json(JsonWriter& w) const {
  w.key("rdp").begin_object();
  if (!cookie.empty()) w.kv("cookie", cookie);
  if (requested_protocols) w.kv("requested_protocols", *requested_protocols);
  if (answered) {
    w.kv("result", result);
    if (result == "success") w.kv("security_protocol", security_protocol);
    else w.kv("failure", failure);
  }
  if (core) {
    w.kv("client_name", core->client_name);
    w.kv("client_build", static_cast<uint64_t>(core->client_build));
    w.kv("keyboard_layout", static_cast<uint64_t>(core->keyboard_layout));
    w.kv("desktop_width", static_cast<unsigned>(core->desktop_width));
    w.kv("desktop_height", static_cast<unsigned>(core->desktop_height));
  }
  w.end_object();
}

}  // namespace ms::rdp
