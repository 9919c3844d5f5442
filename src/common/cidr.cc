#include "common/cidr.h"

#include <arpa/inet.h>

#include <cstring>

namespace ms {

namespace {

bool to_bytes(std::string_view s, bool v4, uint8_t* out) {
  char buf[64];
  if (s.empty() || s.size() >= sizeof buf) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return inet_pton(v4 ? AF_INET : AF_INET6, buf, out) == 1;
}

}  // namespace

bool parse_cidr(std::string_view s, Cidr& out) {
  out = Cidr{};
  size_t slash = s.find('/');
  std::string_view addr = s.substr(0, slash);
  if (to_bytes(addr, true, out.net)) {
    out.v4 = true;
  } else if (!to_bytes(addr, false, out.net)) {
    return false;
  }
  int max = out.v4 ? 32 : 128;
  out.bits = max;
  if (slash != std::string_view::npos) {
    std::string_view b = s.substr(slash + 1);
    if (b.empty() || b.size() > 3) return false;
    int n = 0;
    for (char c : b) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    if (n > max) return false;
    out.bits = n;
  }
  return true;
}

bool in_cidr(std::string_view ip, const Cidr& c) {
  uint8_t a[16];
  if (!to_bytes(ip, c.v4, a)) return false;
  int full = c.bits / 8, rest = c.bits % 8;
  if (std::memcmp(a, c.net, static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (c.net[full] & mask);
}

}  // namespace ms
