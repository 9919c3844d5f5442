// The orientation of a new flow from its first packet (flow/orientation.h,
// issue 16): responses, SYN-ACKs and greetings come from the server; ports
// decide when content does not; a group address never becomes a client.
#include <gtest/gtest.h>

#include <string>

#include "flow/orientation.h"
#include "frame_builder.h"

using namespace mstest;

namespace {

const Ip4 kPhone{10, 1, 0, 10}, kServer{10, 1, 0, 53}, kMdns{224, 0, 0, 251};

// A DNS header (RFC 1035 §4.1.1) with one question for "a.example".
std::string dns(bool response) {
  std::string h = {'\x12', '\x34', response ? '\x81' : '\x01', '\x00', 0, 1, 0, 0, 0, 0, 0, 0};
  return h + std::string("\x01" "a\x07" "example\x00\x00\x01\x00\x01", 15);
}

bool flips(const Frame& f) {
  ms::Packet p = decode(f);
  return ms::first_packet_from_server(p);
}

}  // namespace

TEST(FlowOrientation, DnsByTheQueryResponseBit) {
  EXPECT_TRUE(flips(udp4(kServer, 53, kPhone, 40000, dns(true))));
  EXPECT_FALSE(flips(udp4(kPhone, 40000, kServer, 53, dns(false))));
  // Server to server on port 53 both ways: the bit decides either way.
  EXPECT_TRUE(flips(udp4(kServer, 53, kPhone, 53, dns(true))));
  EXPECT_FALSE(flips(udp4(kServer, 53, kPhone, 53, dns(false))));
  // A query from port 53 (a resolver asking upstream) is not a response.
  EXPECT_FALSE(flips(udp4(kServer, 53, kPhone, 40000, dns(false))));
  // A multicast answer stays as sent: a group is no client.
  EXPECT_FALSE(flips(udp4(kServer, 5353, kMdns, 5353, dns(true))));
  // Too short for a DNS header: the ports decide.
  EXPECT_TRUE(flips(udp4(kServer, 53, kPhone, 40000, "abc")));
}

TEST(FlowOrientation, TcpHandshakeGreetingsAndPorts) {
  EXPECT_TRUE(flips(tcp4(kServer, 443, kPhone, 50000, 1, 0, ms::kTcpSyn | ms::kTcpAck)));
  // A SYN from a well-known port is still the client's (Zeek keeps a SYN's sender as originator).
  EXPECT_FALSE(flips(tcp4(kServer, 80, kPhone, 50000, 1, 0, ms::kTcpSyn)));
  EXPECT_TRUE(flips(tcp4(kServer, 8000, kPhone, 50000, 1, 1, ms::kTcpAck | ms::kTcpPsh, "HTTP/1.1 200 OK\r\n")));
  EXPECT_TRUE(flips(tcp4(kServer, 2121, kPhone, 50000, 1, 1, ms::kTcpAck | ms::kTcpPsh, "220 ready\r\n")));
  EXPECT_FALSE(flips(tcp4(kPhone, 50000, kServer, 8000, 1, 1, ms::kTcpAck | ms::kTcpPsh, "GET / HTTP/1.1\r\n")));
  // Midstream without content: a listed server port on the sender only.
  EXPECT_TRUE(flips(tcp4(kServer, 104, kPhone, 50000, 1, 1, ms::kTcpAck)));
  EXPECT_FALSE(flips(tcp4(kPhone, 50000, kServer, 104, 1, 1, ms::kTcpAck)));
  EXPECT_FALSE(flips(tcp4(kServer, 104, kPhone, 2575, 1, 1, ms::kTcpAck)));  // both listed: as sent
  EXPECT_FALSE(flips(tcp4(kServer, 40001, kPhone, 50000, 1, 1, ms::kTcpAck)));  // neither listed
}

TEST(FlowOrientation, ServerPortList) {
  for (uint16_t p : {53, 67, 80, 104, 443, 2575, 11112}) EXPECT_TRUE(ms::likely_server_port(p)) << p;
  for (uint16_t p : {0, 68, 1024, 40000, 65535}) EXPECT_FALSE(ms::likely_server_port(p)) << p;
}
