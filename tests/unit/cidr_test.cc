// Addresses and ranges in text: parse_ip (both families, shared by the
// inventory and the detections), parse_cidr and in_cidr.
#include <gtest/gtest.h>

#include <cstring>

#include "common/cidr.h"

TEST(Cidr, ParseIpBothFamilies) {
  uint8_t b[16];
  bool v4 = false;
  ASSERT_TRUE(ms::parse_ip("10.1.2.3", b, v4));
  EXPECT_TRUE(v4);
  const uint8_t want4[4] = {10, 1, 2, 3};
  EXPECT_EQ(std::memcmp(b, want4, 4), 0);
  ASSERT_TRUE(ms::parse_ip("fe80::1", b, v4));
  EXPECT_FALSE(v4);
  EXPECT_EQ(b[0], 0xfe);
  EXPECT_EQ(b[15], 1);
  for (const char* bad : {"", "10.1.2", "01.1.2.3", "10.1.2.3 ", "fe80::1::2", "host", "10.1.2.3/8"}) {
    EXPECT_FALSE(ms::parse_ip(bad, b, v4)) << bad;
  }
}

TEST(Cidr, RangesAndMembership) {
  ms::Cidr c;
  ASSERT_TRUE(ms::parse_cidr("10.1.0.0/16", c));
  EXPECT_TRUE(c.v4);
  EXPECT_EQ(c.bits, 16);
  EXPECT_TRUE(ms::in_cidr("10.1.255.4", c));
  EXPECT_FALSE(ms::in_cidr("10.2.0.1", c));
  EXPECT_FALSE(ms::in_cidr("fd00::1", c));      // the other family
  EXPECT_FALSE(ms::in_cidr("10.1.0.256", c));   // not an address
  ASSERT_TRUE(ms::parse_cidr("172.16.0.0/12", c));
  EXPECT_TRUE(ms::in_cidr("172.31.9.9", c));
  EXPECT_FALSE(ms::in_cidr("172.32.0.1", c));
  ASSERT_TRUE(ms::parse_cidr("fd00::/8", c));
  EXPECT_FALSE(c.v4);
  EXPECT_TRUE(ms::in_cidr("fd12:3456::1", c));
  EXPECT_FALSE(ms::in_cidr("fe80::1", c));
  ASSERT_TRUE(ms::parse_cidr("192.168.1.20", c));
  EXPECT_EQ(c.bits, 32);
  EXPECT_TRUE(ms::in_cidr("192.168.1.20", c));
  EXPECT_FALSE(ms::in_cidr("192.168.1.21", c));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "fd00::/129", "nowhere/8"}) {
    EXPECT_FALSE(ms::parse_cidr(bad, c)) << bad;
  }
}
