// nftables (nft(8), "SETS" and "CONNTRACK EXPRESSIONS") and iptables-restore
// (iptables-restore(8), iptables-extensions(8)) exports.
//
// nftables inet: a routed firewall's forward chain, stateful (ct state), one
// named set per zone and family. nftables bridge: the same allow-list for a
// bridge (a switch), stateless because bridge conntrack (nf_conntrack_bridge)
// is not everywhere: each rule also lets the server's answers back (source
// port), TCP answers never as a bare SYN.
//
// Both guard SMB rules that learned no administrative share (policy.h
// guards_admin_shares): an SMB2 TREE_CONNECT request whose path ends in '$'
// (other than \IPC$) is dropped in chain smb_admin_share, generated below.
// nft cannot search a string, but it can compare raw bytes at fixed offsets
// of the TCP payload (nft(8) "RAW PAYLOAD EXPRESSION", base `ih`): one rule
// per path length.
#include <algorithm>
#include <cstdio>

#include "segment/export.h"

namespace ms::seg {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// Text safe inside a double-quoted comment of nft or iptables.
std::string safe(const std::string& s) {
  std::string o;
  for (char c : s) o += (c == '"' || c == '\\' || c == '\'' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
  return o.substr(0, 200);
}

// The match of one end of a rule in one family ("" when the zone has no
// address of that family).
std::string nft_side(const Policy& p, const std::string& zone, bool v4, bool src) {
  std::string fam = v4 ? "ip " : "ip6 ";
  std::string dir = src ? "saddr " : "daddr ";
  if (zone == kExternal) return fam + dir + "!= @internal_" + (v4 ? "v4" : "v6");
  ZoneAddrs a = zone_addrs(p, zone);
  const std::vector<std::string>& m = v4 ? a.v4 : a.v6;
  if (m.empty()) return "";
  if (zone == kMulticast) return fam + dir + "{ " + join(m, ", ") + " }";
  return fam + dir + "@z_" + zone + (v4 ? "_v4" : "_v6");
}

std::string nft_port(const Rule& r, bool reverse) {
  if (r.proto == "icmp" || r.proto == "icmpv6") {
    int type = r.port;
    if (reverse) type = r.port == 8 ? 0 : r.port == 128 ? 129 : -1;  // echo reply (RFC 792, RFC 4443)
    return type < 0 ? "" : r.proto + " type " + std::to_string(type);
  }
  if (!reverse) return r.proto + " dport " + std::to_string(r.port);
  std::string s = r.proto + " sport " + std::to_string(r.port);
  return r.proto == "tcp" ? s + " tcp flags & (syn | ack) != syn" : s;
}

void nft_sets(const Policy& p, std::string& o) {
  for (bool v4 : {true, false}) {
    std::vector<std::string> in = internal_of(p, v4);
    o += std::string("\tset internal_") + (v4 ? "v4 { type ipv4_addr" : "v6 { type ipv6_addr") + "; flags interval;";
    o += in.empty() ? " }\n" : " elements = { " + join(in, ", ") + " } }\n";
  }
  for (const Zone& z : p.zones) {
    ZoneAddrs a = zone_addrs(p, z.name);
    o += "\t# " + safe(z.name) + ": " + safe(z.description) + "\n";
    if (!a.v4.empty()) o += "\tset z_" + z.name + "_v4 { type ipv4_addr; elements = { " + join(a.v4, ", ") + " } }\n";
    if (!a.v6.empty()) o += "\tset z_" + z.name + "_v6 { type ipv6_addr; elements = { " + join(a.v6, ", ") + " } }\n";
  }
}

void nft_rule(const Policy& p, const Rule& r, bool bridge, std::string& o) {
  for (bool v4 : {true, false}) {
    if ((r.proto == "icmp" && !v4) || (r.proto == "icmpv6" && v4)) continue;
    std::string s = nft_side(p, r.from, v4, true), d = nft_side(p, r.to, v4, false);
    if (s.empty() || d.empty()) continue;
    o += "\t\t" + s + " " + d + " " + nft_port(r, false) + " accept comment \"" + safe(rule_comment(r)) + "\"\n";
    std::string back = nft_port(r, true);
    if (bridge && !back.empty() && r.to != kMulticast)
      o += "\t\t" + nft_side(p, r.to, v4, true) + " " + nft_side(p, r.from, v4, false) + " " + back + " accept\n";
  }
}

// Byte offsets in the TCP payload of an SMB2 TREE_CONNECT request: the 4-byte
// session header (MS-SMB2 2.1 direct TCP; RFC 1002 4.3.1 on port 139), then the 64-byte
// SMB2 header (MS-SMB2 2.2.1: ProtocolId 0xFE 'S' 'M' 'B', Command at 12, little
// endian) and the request (MS-SMB2 2.2.9): StructureSize 9, Flags, PathOffset
// (from the SMB2 header: 0x48 when the path follows), PathLength, the path in
// UTF-16LE at 4 + 0x48 = 76.
constexpr int kSmb2 = 4, kStructureSize = 68, kFlags = 70, kPathOffset = 72, kPathLength = 74, kPath = 76;
// The longest path the guard checks, in bytes: "\\" + a 255-character DNS
// name + "\" + an 80-character share name (MS-FSCC 2.1.6) in UTF-16.
constexpr int kMaxGuardPath = 680;

std::string bits(int byte, int len) { return "@ih," + std::to_string(byte * 8) + "," + std::to_string(len); }

// A little-endian 16-bit value as nft compares the raw bytes (big endian).
std::string le16(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", ((v & 0xff) << 8) | ((v >> 8) & 0xff));
  return buf;
}

void nft_smb_guard(std::string& o) {
  o += "\t# SMB2 TREE_CONNECT requests (MS-SMB2 2.2.9) on SMB rules that learned no administrative\n"
       "\t# share: the path's last UTF-16LE character at each possible length; '$' is dropped\n"
       "\t# unless the path ends in \\IPC$ (any case). What cannot be checked is dropped too.\n";
  o += "\tchain smb_admin_share {\n";
  o += "\t\t" + bits(kStructureSize, 16) + " != " + le16(9) + " drop comment \"StructureSize is not 9\"\n";
  o += "\t\t" + bits(kFlags, 16) + " & " + le16(4) +
       " != 0x0 drop comment \"tree connect extension (SMB 3.1.1 remoted identity): path not at a fixed offset\"\n";
  o += "\t\t" + bits(kPathOffset, 16) + " != " + le16(kPath - kSmb2) + " drop comment \"the path does not follow the request\"\n";
  std::string lengths;
  for (int len = 2; len <= kMaxGuardPath; len += 2) lengths += (len > 2 ? ", " : "") + le16(len);
  o += "\t\t" + bits(kPathLength, 16) + " != { " + lengths + " } drop comment \"odd or longer than " +
       std::to_string(kMaxGuardPath) + " bytes\"\n";
  for (int len = 2; len <= kMaxGuardPath; len += 2) {
    int last = kPath + len - 2;
    o += "\t\t" + bits(kPathLength, 16) + " " + le16(len) + " " + bits(last, 16) + " 0x2400";
    // "\IPC" before the '$' (UTF-16LE, letters folded to upper case by
    // clearing 0x20): the named-pipe share passes.
    if (len >= 10) o += " " + bits(last - 8, 64) + " & 0xffffdfffdfffdfff != 0x5c00490050004300";
    o += " drop\n";
  }
  o += "\t}\n";
}

// The jump to the guard for one rule and family: the rule's clients and
// servers, its port, an SMB2 TREE_CONNECT (not a response: to the server).
void nft_guard_jump(const Policy& p, const Rule& r, std::string& o) {
  for (bool v4 : {true, false}) {
    std::string s = nft_side(p, r.from, v4, true), d = nft_side(p, r.to, v4, false);
    if (s.empty() || d.empty()) continue;
    o += "\t\t" + s + " " + d + " tcp dport " + std::to_string(r.port) + " " + bits(kSmb2, 32) + " 0xfe534d42 " +
         bits(kSmb2 + 12, 16) + " " + le16(3) + " jump smb_admin_share comment \"" + safe(rule_comment(r)) + "\"\n";
  }
}

}  // namespace

std::string export_nftables(const Policy& p, bool bridge) {
  const std::string fam = bridge ? "bridge" : "inet";
  std::string o = "#!/usr/sbin/nft -f\n# medsentry segmentation policy (" + fam +
                  " family), generated by 'medsentry segment export'.\n"
                  "# Load with 'nft -f FILE'; it replaces only the table " + fam + " medsentry_segment.\n"
                  "# Default deny: what no rule allows is dropped and logged.\n";
  o += "table " + fam + " medsentry_segment\ndelete table " + fam + " medsentry_segment\n";
  o += "table " + fam + " medsentry_segment {\n";
  nft_sets(p, o);
  std::vector<const Rule*> guarded;
  for (const Rule* r : ordered_rules(p))
    if (guards_admin_shares(*r)) guarded.push_back(r);
  if (!guarded.empty()) nft_smb_guard(o);
  o += "\tchain forward {\n";
  if (bridge) {
    o += "\t\ttype filter hook forward priority filter; policy accept;\n";
    o += "\t\t# Only IP is segmented: ARP, LLDP and other link-layer frames pass.\n";
    o += "\t\tether type != { ip, ip6 } accept\n";
  } else {
    o += "\t\ttype filter hook forward priority filter; policy drop;\n";
  }
  // Before any accept (a tree connect travels on an established connection).
  for (const Rule* r : guarded) nft_guard_jump(p, *r, o);
  if (!bridge) o += "\t\tct state established,related accept\n\t\tct state invalid drop\n";
  // RFC 4890 4.3.1: neighbour discovery and MLD must pass for IPv6 to work.
  o += "\t\ticmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, nd-router-solicit, "
       "nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, mld2-listener-report } accept\n";
  for (const Rule* r : ordered_rules(p)) nft_rule(p, *r, bridge, o);
  o += "\t\tlog prefix \"medsentry-segment deny \" drop\n\t}\n}\n";
  return o;
}

namespace {

std::string ipt_side(const Policy& p, const std::string& zone) {
  ZoneAddrs a = zone_addrs(p, zone);
  return join(a.v4, ",");
}

}  // namespace

std::string export_iptables(const Policy& p) {
  std::string o = "# medsentry segmentation policy (IPv4), generated by 'medsentry segment export'.\n"
                  "# Load with 'iptables-restore < FILE' (it replaces the filter table).\n"
                  "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  std::string body = "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n";
  std::string chains;
  int n = 0;
  for (const Rule* rp : ordered_rules(p)) {
    const Rule& r = *rp;
    if (r.proto == "icmpv6") continue;
    std::string s = r.from == kExternal ? "" : ipt_side(p, r.from), d = r.to == kExternal ? "" : ipt_side(p, r.to);
    if ((r.from != kExternal && s.empty()) || (r.to != kExternal && d.empty())) continue;
    std::string m = (s.empty() ? "" : " -s " + s) + (d.empty() ? "" : " -d " + d) + " -p " + r.proto;
    m += r.proto == "icmp" ? " --icmp-type " + std::to_string(r.port) : " --dport " + std::to_string(r.port);
    m += " -m comment --comment \"" + safe(rule_comment(r)).substr(0, 250) + "\"";
    if (!involves_external(r)) {
      body += "-A FORWARD" + m + " -j ACCEPT\n";
      continue;
    }
    // "Outside the internal ranges" is a chain that returns on each range.
    std::string chain = "MS_EXT_" + std::to_string(++n);
    chains += ":" + chain + " - [0:0]\n";
    body += "-A FORWARD" + m + " -j " + chain + "\n";
    for (const std::string& c : internal_of(p, true))
      body += "-A " + chain + (r.from == kExternal ? " -s " : " -d ") + c + " -j RETURN\n";
    body += "-A " + chain + " -j ACCEPT\n";
  }
  body += "-A FORWARD -j LOG --log-prefix \"medsentry-segment deny \"\n";
  return o + chains + body + "COMMIT\n";
}

}  // namespace ms::seg
