// Reading the events the rules take (fields.h).
#include "detect/fields.h"

#include <cstdlib>

namespace ms::detect {

int64_t num(const JsonValue* v, std::string_view key, int64_t dflt) {
  const JsonValue* x = v ? v->get(key) : nullptr;
  if (!x || x->type != JsonValue::kNumber || x->text.empty() || x->text.size() > 18) return dflt;
  return std::atoll(x->text.c_str());
}

std::string cap(std::string_view s) {
  std::string out(s.substr(0, kMaxValueLen));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

uint8_t proto_number(std::string_view p) {
  if (p == "TCP") return kTcp;
  if (p == "UDP") return kUdp;
  if (p == "ICMP") return kIcmp;
  if (p == "IPv6-ICMP") return kIcmp6;
  return 0;
}

}  // namespace ms::detect
