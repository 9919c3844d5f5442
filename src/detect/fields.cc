// Reading the events the rules take (fields.h).
#include "detect/fields.h"

#include <cstdlib>

namespace ms::detect {

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
