// Live capture for `medsentry monitor`: one AF_PACKET socket per interface
// with a TPACKET_V3 receive ring (packet(7), Documentation/networking/
// packet_mmap.rst), promiscuous, with an optional BPF filter compiled by
// libpcap. Receive only: there is no TX ring and nothing is ever sent on
// these sockets. One reader thread walks every ring (docs/decisions.md
// "Live capture: one reader").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/capture_file.h"

namespace ms {

struct LiveOptions {
  std::vector<std::string> interfaces;
  std::string bpf;                        // "" for every packet
  uint32_t block_size = 1u << 20;         // ring block (a power of two pages)
  uint32_t block_count = 64;              // 64 MiB per interface by default
  uint32_t block_timeout_ms = 50;         // a block is handed over at least this often
  uint32_t snaplen = 65535;
};

// Kernel counters of one interface's socket (PACKET_STATISTICS; reading
// them resets them, so they are accumulated here).
struct LiveIfStats {
  std::string name;
  uint64_t packets = 0;   // tp_packets: received by the socket, drops included
  uint64_t drops = 0;     // tp_drops: lost because the ring was full
  uint64_t freeze_q = 0;  // tp_freeze_q_cnt: times the ring was full
};

class LiveCapture {
 public:
  // Opens and binds every interface; throws CaptureError with one line
  // (no such interface, not Ethernet, no permission, a bad filter).
  explicit LiveCapture(const LiveOptions& opt);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // The next packet of any interface, waiting at most `timeout_ms`; false
  // on timeout or interruption (a signal). The data stays valid until the
  // next call. 802.1Q tags the kernel took off are put back in front of
  // the packet (VLANs are part of the inventory).
  bool next(RawPacket& out, int timeout_ms);
  // Reads the kernel counters of every socket (adds to the totals).
  const std::vector<LiveIfStats>& poll_stats();

  struct Ring;  // one interface's socket and ring (capture_live.cc)

 private:
  bool next_in(Ring& r, RawPacket& out);
  void release(Ring& r);

  LiveOptions opt_;
  std::vector<Ring*> rings_;
  std::vector<LiveIfStats> stats_;
  std::vector<uint8_t> scratch_;  // a packet with its VLAN tag put back
  size_t turn_ = 0;               // the ring to look at first (fairness)
};

}  // namespace ms
