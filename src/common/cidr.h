// Address ranges (10.1.0.0/16, fd00::/8): parsed once, matched against the
// addresses events carry as text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ms {

struct Cidr {
  uint8_t net[16] = {};
  int bits = 0;
  bool v4 = false;
};

// An IPv4 or IPv6 address in text: its bytes (IPv4 in the first 4) and its
// family; false if it is neither.
bool parse_ip(std::string_view s, uint8_t out[16], bool& v4);
// "A.B.C.D", "A.B.C.D/N", "v6" or "v6/N"; false if it is none of these.
bool parse_cidr(std::string_view s, Cidr& out);
// Whether the address (text) is inside the range; false for a bad address or
// the other family.
bool in_cidr(std::string_view ip, const Cidr& c);

}  // namespace ms
