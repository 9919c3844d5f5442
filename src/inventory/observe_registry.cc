// The observer and app-security tables, filled by static registration from
// the dissector folders and frozen into hash tables on first lookup (the
// output thread asks observer_of() for every event: no string if-chain).
#include "inventory/observe_registry.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace ms::inv {

namespace {

struct Pending {
  std::vector<Observer> observers;
  std::vector<std::pair<std::string_view, const char*>> security;
};

// Function-local statics: registration runs before main() in any order.
Pending& pending() {
  static Pending p;
  return p;
}

struct Tables {
  std::unordered_map<std::string_view, Observer> observers;
  std::unordered_map<std::string_view, const char*> security;
};

[[noreturn]] void duplicate(const char* what, std::string_view name) {
  std::fprintf(stderr, "medsentry: two %s registered for \"%.*s\"\n", what, static_cast<int>(name.size()), name.data());
  std::abort();
}

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    for (const Observer& o : pending().observers) {
      if (!t.observers.emplace(o.event_type, o).second) duplicate("observers", o.event_type);
    }
    for (const auto& s : pending().security) {
      if (!t.security.emplace(s.first, s.second).second) duplicate("app securities", s.first);
    }
    return t;
  }();
  return t;
}

}  // namespace

bool register_observer(const Observer& o) {
  pending().observers.push_back(o);
  return true;
}

bool register_app_security(std::string_view app_proto, const char* security) {
  pending().security.emplace_back(app_proto, security);
  return true;
}

const Observer* observer_of(std::string_view event_type) {
  const auto& m = tables().observers;
  auto it = m.find(event_type);
  return it == m.end() ? nullptr : &it->second;
}

const char* app_security(std::string_view app_proto) {
  const auto& m = tables().security;
  auto it = m.find(app_proto);
  return it == m.end() ? "" : it->second;
}

}  // namespace ms::inv
