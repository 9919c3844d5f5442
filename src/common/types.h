// Basic value types shared by every stage: timestamps and IP addresses.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ms {

// Nanoseconds since the Unix epoch. Packet time, never wall-clock time, drives
// every timeout so that an analysis is reproducible.
using TimeNs = int64_t;
constexpr TimeNs kNsPerSec = 1'000'000'000;

// An IPv4 or IPv6 address. IPv4 is stored as an IPv4-mapped IPv6 address so
// that comparisons and hashing need no branch on the family.
struct IpAddr {
  std::array<uint8_t, 16> b{};

  static IpAddr v4(const uint8_t* p) {
    IpAddr a;
    a.b[10] = 0xff;
    a.b[11] = 0xff;
    std::memcpy(a.b.data() + 12, p, 4);
    return a;
  }
  static IpAddr v6(const uint8_t* p) {
    IpAddr a;
    std::memcpy(a.b.data(), p, 16);
    return a;
  }
  bool is_v4() const {
    static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(b.data(), kPrefix, 12) == 0;
  }
  std::string str() const;
  auto operator<=>(const IpAddr&) const = default;
};

// ISO 8601 UTC with microseconds, or nanoseconds when the capture has them.
std::string format_time(TimeNs t);
// The same text written to `buf` (at least kTimeTextMax bytes, not
// terminated); returns its length. No allocation: the writers and the event
// envelope call it for every event.
constexpr size_t kTimeTextMax = 48;
size_t format_time_to(char* buf, TimeNs t);

// The wall clock now, ISO 8601 UTC to the second ("2026-12-03T14:00:00Z"):
// when a database row was written (captures analysed, triage, reports).
std::string now_iso();

// Dotted-quad IPv4 text to its 4 bytes, with exactly the rules of glibc's
// inet_pton(AF_INET): four decimal parts of 0-255, no leading zeros, nothing
// else. Without inet_pton's NUL-terminated copy.
bool parse_ipv4(std::string_view s, uint8_t out[4]);

}  // namespace ms
