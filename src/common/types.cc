// Formatting of the shared value types.
#include "common/types.h"

#include <arpa/inet.h>

#include <cstdio>
#include <ctime>

namespace ms {

std::string IpAddr::str() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) {
    inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  }
  return buf;
}

std::string format_time(TimeNs t) {
  TimeNs sec = t / kNsPerSec;
  TimeNs ns = t % kNsPerSec;
  if (ns < 0) {
    ns += kNsPerSec;
    sec -= 1;
  }
  time_t tt = static_cast<time_t>(sec);
  struct tm tm_utc;
  gmtime_r(&tt, &tm_utc);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm_utc);
  if (ns % 1000 == 0) {
    snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(ns / 1000));
  } else {
    snprintf(buf + n, sizeof buf - n, ".%09lldZ", static_cast<long long>(ns));
  }
  return buf;
}

}  // namespace ms
