// A flow: both directions of one 5-tuple (plus VLAN ids), with its counters,
// TCP state, reassembly and the dissector that owns it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/types.h"
#include "dissectors/dissector.h"
#include "flow/tcp_stream.h"

namespace ms {

// Canonical key: the lower (address, port) first, so both directions of a
// conversation give the same key. For ICMP echo the identifier stands in for
// the ports; other protocols use the address pair only.
struct FlowKey {
  IpAddr lo, hi;
  uint16_t lo_port = 0, hi_port = 0;
  uint16_t vlan[2] = {0, 0};
  uint8_t proto = 0;
  uint8_t pad[3] = {0, 0, 0};
  bool operator==(const FlowKey& o) const {
    return lo == o.lo && hi == o.hi && lo_port == o.lo_port && hi_port == o.hi_port &&
           vlan[0] == o.vlan[0] && vlan[1] == o.vlan[1] && proto == o.proto;
  }
};

enum class TcpState : uint8_t {
  kNone,
  kSynSent,
  kSynRecv,
  kEstablished,
  kFinWait,   // one side sent FIN
  kClosing,   // both sides sent FIN, last ACK not seen
  kClosed,    // both FINs acknowledged
  kReset,
};
const char* tcp_state_name(TcpState s);

// Which timeout applies to a flow; each class has its own LRU list, ordered
// by last packet time, so expiry only ever looks at the oldest flows.
enum TimeoutClass : uint8_t {
  kClassTcpNew,
  kClassTcpEstablished,
  kClassTcpClosed,
  kClassUdp,
  kClassOther,
  kNumTimeoutClasses,
};

enum class AppState : uint8_t { kProbing, kActive, kNone };

struct Flow {
  FlowKey key;
  uint64_t hash = 0;
  uint64_t flow_id = 0;
  // Orientation: src is the client: the sender of the first packet unless
  // that packet came from the server (flow/orientation.h: a SYN-ACK, a DNS
  // response, a server greeting, a well-known server port).
  IpAddr src, dst;
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;
  uint8_t vlan_count = 0;
  uint16_t vlan[2] = {0, 0};

  TimeNs first_ts = 0, last_ts = 0;
  TimeNs segment_start = 0;  // for the active (hard) timeout
  // Ethernet address of each side (client, server): the first seen as a
  // source, or as the unicast destination of the other side's packets.
  uint8_t mac[2][6] = {};
  bool has_mac[2] = {false, false};
  uint8_t ttl[2] = {0, 0};  // IPv4 TTL / IPv6 hop limit of each side's first packet (an OS hint)
  uint64_t pkts[2] = {0, 0};
  uint64_t bytes[2] = {0, 0};
  bool data[2] = {false, false};  // each side sent payload (a probe sends none)

  // TCP
  TcpState tcp_state = TcpState::kNone;
  uint8_t tcp_flags[2] = {0, 0};
  bool midstream = false;
  bool fin[2] = {false, false};
  uint32_t fin_seq[2] = {0, 0};
  TcpStream stream[2];
  // ICMP: type and code of the first packet.
  uint8_t icmp_type = 0, icmp_code = 0;

  // Application layer.
  AppState app_state = AppState::kProbing;
  const DissectorSpec* app = nullptr;
  std::unique_ptr<Dissector> dissector;
  std::vector<uint8_t> pending[2];  // probe bytes, then incomplete units
  uint32_t needed[2] = {0, 0};
  bool probe_failed[2] = {false, false};
  uint8_t probe_datagrams = 0;
  uint32_t anomaly_bits = 0;  // flow anomalies already reported (by hash bit)

  // The addresses as text, made once for the flow's events (not per event).
  mutable std::string src_text, dst_text;

  // Expiry bookkeeping.
  TimeoutClass tclass = kClassOther;
  Flow* lru_prev = nullptr;
  Flow* lru_next = nullptr;

  int dir_of(const IpAddr& s, uint16_t sp) const {
    return (s == src && sp == sport) ? 0 : 1;
  }
};

}  // namespace ms
