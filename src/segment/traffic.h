// The traffic a policy is learned from and checked against: flow and alert
// events of events.jsonl (docs/output.md), and the inventory's devices.
#pragma once

#include <cstdint>
#include <istream>
#include <set>
#include <string>
#include <vector>

namespace ms::seg {

struct FlowRec {
  std::string ts, src, dst, proto, app;  // proto: tcp, udp, icmp, icmpv6
  int port = 0;                          // server port, or the ICMP type
  uint64_t flow_id = 0, bytes = 0;
  bool answered = false;  // the server answered (SYN-ACK, a UDP or ICMP reply)
  // SMB shares the flow tree-connected to (its `smb` tree_connect events),
  // sorted, at most kMaxShares.
  std::vector<std::string> shares;
};

struct AlertRec {
  std::string id, rule, severity, src, dst, protocol;
  std::vector<uint64_t> flow_ids;
};

struct Traffic {
  std::vector<FlowRec> flows;
  std::vector<AlertRec> alerts;
  uint64_t skipped_lines = 0;  // unparsable or over-long lines
};

struct DeviceRec {
  std::vector<std::string> ips;
  std::string type;
  bool medical = false;
};

// Reads events.jsonl (a file, or a directory holding one); flows outside
// [since, until] (ISO 8601 text, empty: open) are left out. False with one
// line in `err` when the file cannot be read.
bool read_events(const std::string& path, const std::string& since, const std::string& until, Traffic& out,
                 std::string& err);
// The same from a stream (`name` for errors).
bool read_events_stream(std::istream& in, const std::string& name, const std::string& since, const std::string& until,
                        Traffic& out, std::string& err);
// Reads the inventory's devices (the `devices` table, docs/inventory.md).
bool read_devices(const std::string& db_path, std::vector<DeviceRec>& out, std::string& err);

// ICMPv6 neighbour discovery and multicast listener messages (RFC 4890 4.3.1:
// must not be dropped): IPv6 does not work without them, so no policy
// learns, checks or denies them.
bool is_link_control(const FlowRec& f);

}  // namespace ms::seg
