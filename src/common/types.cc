// Formatting of the shared value types.
#include "common/types.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <ctime>

namespace ms {

std::string IpAddr::str() const {
  if (!is_v4()) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
    return buf;
  }
  // IPv4 by hand: glibc's inet_ntop formats it through sprintf, a measurable
  // share of the packet thread at one call per flow side.
  std::string out;
  out.reserve(15);
  for (int i = 12; i < 16; ++i) {
    unsigned v = b[i];
    if (i > 12) out += '.';
    if (v >= 100) out += static_cast<char>('0' + v / 100);
    if (v >= 10) out += static_cast<char>('0' + v / 10 % 10);
    out += static_cast<char>('0' + v % 10);
  }
  return out;
}

std::string now_iso() {
  char buf[32];
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_time(TimeNs t) {
  char buf[kTimeTextMax];
  return std::string(buf, format_time_to(buf, t));
}

size_t format_time_to(char* buf, TimeNs t) {
  TimeNs sec = t / kNsPerSec;
  TimeNs ns = t % kNsPerSec;
  if (ns < 0) {
    ns += kNsPerSec;
    sec -= 1;
  }
  // Formatting the date is the slow part; consecutive events mostly share
  // their second, so each thread keeps the last one.
  thread_local TimeNs cached_sec = -1;
  thread_local char cached[32];
  thread_local size_t cached_len = 0;
  if (sec != cached_sec) {
    time_t tt = static_cast<time_t>(sec);
    struct tm tm_utc;
    gmtime_r(&tt, &tm_utc);
    cached_len = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm_utc);
    cached_sec = sec;
  }
  std::memcpy(buf, cached, cached_len);
  size_t n = cached_len;
  // Microseconds, or nanoseconds when the capture has them: digits by hand
  // (this runs for every event).
  int digits = ns % 1000 == 0 ? 6 : 9;
  long long frac = digits == 6 ? ns / 1000 : ns;
  buf[n++] = '.';
  for (int i = digits - 1; i >= 0; --i) {
    buf[n + static_cast<size_t>(i)] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  n += static_cast<size_t>(digits);
  buf[n++] = 'Z';
  return n;
}

bool parse_ipv4(std::string_view s, uint8_t out[4]) {
  // Part by part: a digit, and unless it is a 0 (no leading zeros) up to two
  // more; a dot between parts and nothing after the fourth. Every address
  // the inventory and the rules read comes through here, several times a flow.
  const char* p = s.data();
  const char* end = p + s.size();
  for (int part = 0; part < 4; ++part) {
    if (part) {
      if (p == end || *p != '.') return false;
      ++p;
    }
    if (p == end) return false;
    unsigned v = static_cast<unsigned char>(*p++) - '0';
    if (v > 9) return false;
    if (v) {
      for (int k = 0; k < 2 && p != end; ++k) {
        unsigned d = static_cast<unsigned char>(*p) - '0';
        if (d > 9) break;
        v = v * 10 + d;
        ++p;
      }
      if (v > 255) return false;
    }
    out[part] = static_cast<uint8_t>(v);
  }
  return p == end;
}

}  // namespace ms
