#include "common/cidr.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/types.h"

namespace ms {

namespace {

// IPv4 without inet_pton's NUL-terminated copy (the detections match every
// event's addresses against their ranges; the inventory keys devices by them).
bool to_bytes(std::string_view s, bool v4, uint8_t* out) {
  if (v4) return parse_ipv4(s, out);
  char buf[64];
  if (s.empty() || s.size() >= sizeof buf) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}

}  // namespace

bool parse_ip(std::string_view s, uint8_t out[16], bool& v4) {
  v4 = to_bytes(s, true, out);
  return v4 || to_bytes(s, false, out);
}

bool parse_cidr(std::string_view s, Cidr& out) {
  out = Cidr{};
  size_t slash = s.find('/');
  if (!parse_ip(s.substr(0, slash), out.net, out.v4)) return false;
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
