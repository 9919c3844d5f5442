// TCP reassembly of one direction: order, retransmission, overlap policy,
// gaps, wrap-around and limits.
#include <gtest/gtest.h>

#include <string>

#include "flow/tcp_stream.h"

namespace {

struct Recorder : ms::StreamSink {
  std::string data;
  std::vector<uint64_t> gaps;
  std::vector<std::string> anomalies;
  void stream_data(ms::Bytes b) override { data.append(reinterpret_cast<const char*>(b.data()), b.size()); }
  void stream_gap(uint64_t len) override {
    gaps.push_back(len);
    data += '|';
  }
  void stream_anomaly(const char* r) override { anomalies.emplace_back(r); }
};

ms::Bytes bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST(TcpStream, InOrder) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(1000);
  s.segment(1000, bytes("hello "), lim, r);
  s.segment(1006, bytes("world"), lim, r);
  EXPECT_EQ(r.data, "hello world");
}

TEST(TcpStream, OutOfOrderIsReordered) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(1);
  s.segment(7, bytes("world"), lim, r);
  s.segment(12, bytes("!"), lim, r);
  EXPECT_EQ(r.data, "");
  s.segment(1, bytes("hello "), lim, r);
  EXPECT_EQ(r.data, "hello world!");
  EXPECT_EQ(s.stats().ooo_segments, 2u);
  EXPECT_EQ(s.buffered_bytes(), 0u);
}

TEST(TcpStream, RetransmissionAndPartialOverlap) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(0);
  s.segment(0, bytes("abcdef"), lim, r);
  s.segment(0, bytes("abcdef"), lim, r);     // full retransmission
  s.segment(3, bytes("XYZghi"), lim, r);     // overlaps delivered bytes: they win
  EXPECT_EQ(r.data, "abcdefghi");
  EXPECT_EQ(s.stats().retransmitted, 9u);
}

TEST(TcpStream, BufferedOverlapMismatchFirstWins) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(0);
  s.segment(4, bytes("EFGH"), lim, r);
  s.segment(6, bytes("xxIJ"), lim, r);  // "GH" differs from what is buffered
  s.segment(0, bytes("ABCD"), lim, r);
  EXPECT_EQ(r.data, "ABCDEFGHIJ");
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0], "stream.overlap_mismatch");
}

TEST(TcpStream, GapFromPeerAck) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(100);
  s.segment(100, bytes("abc"), lim, r);
  s.segment(113, bytes("xyz"), lim, r);  // 10 bytes were never captured
  s.peer_ack(116, lim, r);
  EXPECT_EQ(r.data, "abc|xyz");
  ASSERT_EQ(r.gaps.size(), 1u);
  EXPECT_EQ(r.gaps[0], 10u);
}

TEST(TcpStream, ForgedHugeAckIsIgnored) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(0);
  s.segment(0, bytes("abc"), lim, r);
  s.peer_ack(0x7fffffff, lim, r);
  EXPECT_TRUE(r.gaps.empty());
}

TEST(TcpStream, FlushReportsHoles) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(0);
  s.segment(0, bytes("ab"), lim, r);
  s.segment(5, bytes("fg"), lim, r);
  s.flush(lim, r);
  EXPECT_EQ(r.data, "ab|fg");
  EXPECT_EQ(r.gaps, std::vector<uint64_t>{3});
}

TEST(TcpStream, SequenceWrapAround) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  s.init(0xFFFFFFFC);
  s.segment(0x00000000u, bytes("efgh"), lim, r);  // after the wrap, arrives first
  s.segment(0xFFFFFFFCu, bytes("abcd"), lim, r);
  EXPECT_EQ(r.data, "abcdefgh");
}

TEST(TcpStream, DepthLimitStopsDelivery) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  lim.depth = 5;
  s.init(0);
  s.segment(0, bytes("abc"), lim, r);
  s.segment(3, bytes("defgh"), lim, r);
  s.segment(8, bytes("ijk"), lim, r);
  EXPECT_EQ(r.data, "abcde");
  EXPECT_FALSE(s.active());
}

TEST(TcpStream, OutOfOrderCapForcesGap) {
  ms::TcpStream s;
  Recorder r;
  ms::StreamLimits lim;
  lim.max_ooo_bytes = 8;
  s.init(0);
  s.segment(10, bytes("12345"), lim, r);
  s.segment(20, bytes("6789A"), lim, r);  // would exceed 8 buffered bytes
  EXPECT_EQ(r.data, "|12345");            // the first hole is given up
  EXPECT_LE(s.buffered_bytes(), lim.max_ooo_bytes);
  s.flush(lim, r);
  EXPECT_EQ(r.data, "|12345|6789A");
  EXPECT_EQ(s.stats().gaps, 2u);
}
