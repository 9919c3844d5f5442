// The inventory's observers, registered from the protocol folders: each
// dissector folder's `<p>_observe.cc` registers, in one line, the function
// that turns its event type into observations, and says whether its
// application protocol travels in clear or encrypted. observe.cc looks them
// up in a table built once, on first use (after static registration).
//
// The observer objects are linked through the ms_dissectors OBJECT library,
// so no registration is dropped by the linker (STYLE.md 4).
#pragma once

#include <string_view>

#include "inventory/observe_util.h"

namespace ms::inv {

struct Observer {
  std::string_view event_type;  // static storage
  // Called with the event, whose struct the observer reads with
  // `c.e.as<T>()` (the protocol's `<p>_events.h`); no JSON is parsed.
  void (*typed)(const ObserveCtx& c) = nullptr;
};

// Both return true (for the static registration idiom); a second observer for
// one event type, or a second security for one app_proto, aborts at start-up.
bool register_observer(const Observer& o);
// `security` is "cleartext" or "encrypted": the flow's service observation
// carries it ("tcp/104/dicom|cleartext").
bool register_app_security(std::string_view app_proto, const char* security);

// The registered observer of an event type, or null.
const Observer* observer_of(std::string_view event_type);
// "cleartext", "encrypted", or "" for an app_proto nobody registered.
const char* app_security(std::string_view app_proto);

}  // namespace ms::inv

#define MS_REGISTER_OBSERVER(ident, ...) \
  [[maybe_unused]] static const bool ms_observer_##ident = ::ms::inv::register_observer(__VA_ARGS__)
#define MS_REGISTER_APP_SECURITY(ident, app_proto, security) \
  [[maybe_unused]] static const bool ms_app_security_##ident = ::ms::inv::register_app_security(app_proto, security)
