// The `ssdp` event's JSON (ssdp.schema.json): the only code that knows its keys.
#include "dissectors/ssdp/ssdp_events.h"
#include "dissectors/text.h"

namespace ms::ssdp {

void SsdpEvent::write_json(JsonWriter& w) const {
  using text::opt;
  w.key("ssdp").begin_object();
  w.kv("method", method);
  if (response) w.kv("status", status);
  opt(w, "nt", nt);
  opt(w, "nts", nts);
  opt(w, "st", st);
  opt(w, "usn", usn);
  opt(w, "location", location);
  opt(w, "server", server);
  opt(w, "user_agent", user_agent);
  opt(w, "man", man);
  opt(w, "cache_control", cache_control);
  w.end_object();
}

}  // namespace ms::ssdp
