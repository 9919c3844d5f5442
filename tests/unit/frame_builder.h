// Builds Ethernet/IP/TCP/UDP frames byte by byte for unit tests, following
// the RFC layouts (the decoders are checked against these, and against real
// captures in the integration tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "decode/packet.h"

namespace mstest {

using Frame = std::vector<uint8_t>;

inline void put16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v >> 8));
  f.push_back(static_cast<uint8_t>(v));
}
inline void put32(Frame& f, uint32_t v) {
  put16(f, static_cast<uint16_t>(v >> 16));
  put16(f, static_cast<uint16_t>(v));
}

struct Ip4 {
  uint8_t a, b, c, d;
};

inline Frame tcp_header(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags) {
  Frame t;
  put16(t, sport);
  put16(t, dport);
  put32(t, seq);
  put32(t, ack);
  t.push_back(0x50);  // data offset 5
  t.push_back(flags);
  put16(t, 65535);
  put16(t, 0);
  put16(t, 0);
  return t;
}

inline Frame udp_header(uint16_t sport, uint16_t dport, size_t payload) {
  Frame u;
  put16(u, sport);
  put16(u, dport);
  put16(u, static_cast<uint16_t>(8 + payload));
  put16(u, 0);
  return u;
}

// IPv4 header + body; `frag` is the flags/offset field as on the wire.
inline Frame ipv4(Ip4 s, Ip4 d, uint8_t proto, const Frame& body, uint16_t id = 1, uint16_t frag = 0) {
  Frame f;
  f.push_back(0x45);
  f.push_back(0);
  put16(f, static_cast<uint16_t>(20 + body.size()));
  put16(f, id);
  put16(f, frag);
  f.push_back(64);
  f.push_back(proto);
  put16(f, 0);
  for (uint8_t x : {s.a, s.b, s.c, s.d}) f.push_back(x);
  for (uint8_t x : {d.a, d.b, d.c, d.d}) f.push_back(x);
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

inline Frame ipv6(uint8_t last_src, uint8_t last_dst, uint8_t next, const Frame& body) {
  Frame f = {0x60, 0, 0, 0};
  put16(f, static_cast<uint16_t>(body.size()));
  f.push_back(next);
  f.push_back(64);
  for (int i = 0; i < 15; ++i) f.push_back(i == 0 ? 0xfe : (i == 1 ? 0x80 : 0));
  f.push_back(last_src);
  for (int i = 0; i < 15; ++i) f.push_back(i == 0 ? 0xfe : (i == 1 ? 0x80 : 0));
  f.push_back(last_dst);
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

inline Frame ethernet(const Frame& ip, uint16_t ethertype = 0x0800, std::vector<uint16_t> vlans = {}) {
  Frame f = {0x00, 0x1b, 0x21, 0x01, 0x02, 0x03, 0x00, 0x09, 0xfb, 0x04, 0x05, 0x06};
  for (uint16_t v : vlans) {
    put16(f, 0x8100);
    put16(f, v);
  }
  put16(f, ethertype);
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

inline Frame tcp4(Ip4 s, uint16_t sp, Ip4 d, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
                  const std::string& payload = "") {
  Frame t = tcp_header(sp, dp, seq, ack, flags);
  t.insert(t.end(), payload.begin(), payload.end());
  return ethernet(ipv4(s, d, 6, t));
}

inline Frame udp4(Ip4 s, uint16_t sp, Ip4 d, uint16_t dp, const std::string& payload) {
  Frame u = udp_header(sp, dp, payload.size());
  u.insert(u.end(), payload.begin(), payload.end());
  return ethernet(ipv4(s, d, 17, u));
}

// Decodes `f` as a packet of link type `lt` at time `ts_sec` seconds.
inline ms::Packet decode(const Frame& f, int lt = ms::kLinkEthernet, double ts_sec = 1.0,
                         ms::DecodeAnomalies* an_out = nullptr) {
  ms::Packet p;
  p.ts = static_cast<ms::TimeNs>(ts_sec * 1e9);
  p.data = f.data();
  p.caplen = p.wirelen = static_cast<uint32_t>(f.size());
  p.frame_bytes = f.size();
  p.linktype = lt;
  ms::DecodeAnomalies an;
  ms::decode_packet(p, an);
  if (an_out) *an_out = an;
  return p;
}

inline bool has_reason(const ms::DecodeAnomalies& an, const std::string& r) {
  for (int i = 0; i < an.n; ++i) {
    if (r == an.reason[i]) return true;
  }
  return false;
}

}  // namespace mstest
