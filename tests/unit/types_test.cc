// IpAddr::str: the hand-written IPv4 formatting must equal inet_ntop for
// every octet value in every position; IPv6 still goes through inet_ntop.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "common/types.h"

namespace {

std::string ntop4(const uint8_t* p) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, p, buf, sizeof buf);
  return buf;
}

TEST(IpAddrStr, Ipv4EqualsInetNtopForEveryOctet) {
  for (int pos = 0; pos < 4; ++pos) {
    for (int v = 0; v < 256; ++v) {
      uint8_t a[4] = {10, 0, 255, 7};
      a[pos] = static_cast<uint8_t>(v);
      EXPECT_EQ(ms::IpAddr::v4(a).str(), ntop4(a));
    }
  }
  const uint8_t zero[4] = {0, 0, 0, 0}, max[4] = {255, 255, 255, 255};
  EXPECT_EQ(ms::IpAddr::v4(zero).str(), "0.0.0.0");
  EXPECT_EQ(ms::IpAddr::v4(max).str(), "255.255.255.255");
}

TEST(IpAddrStr, Ipv6AndMappedForms) {
  uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
  a[15] = 1;
  EXPECT_EQ(ms::IpAddr::v6(a).str(), "2001:db8::1");
  // An IPv4-mapped IPv6 address is the IPv4 address (one key for both).
  uint8_t m[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 20};
  EXPECT_EQ(ms::IpAddr::v6(m).str(), "192.168.1.20");
}

}  // namespace

TEST(ParseIpv4, AgreesWithInetPton) {
  const char* cases[] = {"0.0.0.0", "10.1.2.3", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.", "1.2.3.4.5",
                         ".1.2.3", "1..2.3", "01.2.3.4", "1.2.3.04", "1.2.3.0", "1.2.3.00", " 1.2.3.4", "1.2.3.4 ",
                         "1.2.3.4a", "", "::1", "fe80::1", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/24", "999.1.1.1",
                         "192.168.001.1", "172.16.0.255", "0.0.0.00", "4294967296.1.1.1", "1.2.3.25", "1.2.3.255"};
  for (const char* c : cases) {
    uint8_t a[4] = {}, b[4] = {};
    bool want = inet_pton(AF_INET, c, a) == 1;
    EXPECT_EQ(ms::parse_ipv4(c, b), want) << c;
    if (want) {
      EXPECT_EQ(std::memcmp(a, b, 4), 0) << c;
    }
  }
  // Every single-octet value, in every position.
  for (int pos = 0; pos < 4; ++pos) {
    for (int v = 0; v < 300; ++v) {
      std::string s;
      for (int i = 0; i < 4; ++i) s += (i ? "." : "") + std::to_string(i == pos ? v : 7);
      uint8_t a[4] = {}, b[4] = {};
      bool want = inet_pton(AF_INET, s.c_str(), a) == 1;
      ASSERT_EQ(ms::parse_ipv4(s, b), want) << s;
      if (want) {
        ASSERT_EQ(std::memcmp(a, b, 4), 0) << s;
      }
    }
  }
}
