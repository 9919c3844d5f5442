// Segmentation policies (issue 19): the zone model, a policy (zones and the
// conversations allowed between them) and the traffic they are learned from
// and checked against. docs/segmentation.md describes the model and rules.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/cidr.h"

namespace ms::seg {

// Bounds of every input (hostile files are bounded, never trusted).
constexpr size_t kMaxZones = 256;
constexpr size_t kMaxMembers = 200000;    // addresses over all zones
constexpr size_t kMaxRules = 20000;
constexpr size_t kMaxEvidenceHosts = 16;  // clients/servers listed per rule
constexpr size_t kMaxFlowLines = 20'000'000;
constexpr size_t kMaxLineBytes = 1 << 20;
constexpr size_t kMaxShares = 16;      // SMB share names kept per rule and per flow
constexpr size_t kMaxShareName = 80;   // characters (MS-FSCC 2.1.6): the longest share name

// The zones every policy has without listing members: addresses outside the
// internal ranges, and multicast/broadcast destinations.
constexpr const char* kExternal = "external";
constexpr const char* kMulticast = "multicast";
constexpr const char* kUnlisted = "unlisted";  // internal, in no zone: always denied

struct Zone {
  std::string name, description;
  std::vector<std::string> members;  // addresses (text), sorted
};

// One allowed conversation: clients of `from` open `proto`/`port` on servers
// of `to` (for ICMP, `port` is the ICMP type). The rest is evidence.
struct Rule {
  std::string from, to, proto;
  int port = 0;
  std::string service, workflow;
  uint64_t flows = 0, bytes = 0;
  std::string first_seen, last_seen;
  std::vector<std::string> clients, servers;  // at most kMaxEvidenceHosts each
  // SMB: the shares its flows tree-connected to (sorted, at most kMaxShares;
  // "*" written by hand: any share). On an SMB rule (tcp/445, tcp/139) an
  // administrative share is allowed only if one is listed here (below).
  std::vector<std::string> shares;
};

struct Policy {
  std::vector<std::string> internal;  // CIDRs
  std::vector<Zone> zones;
  std::vector<Rule> rules;
  // What learning saw but did not allow, by reason (for the file's comments).
  std::map<std::string, uint64_t> not_learned;
};

// The zone of a device from the inventory's type (docs/inventory.md "Types").
std::string zone_of_type(const std::string& type, bool medical);
// A zone's description ("" for names the model does not know).
std::string zone_description(const std::string& zone);
// Whether a zone holds medical devices (they never get internet egress unless
// the user writes the rule).
bool zone_is_medical(const std::string& zone);

// Maps addresses to zones under a policy's internal ranges and members.
class ZoneMap {
 public:
  explicit ZoneMap(const Policy& p);
  std::string zone_of(const std::string& ip) const;
  bool internal(const std::string& ip) const;

 private:
  std::vector<Cidr> internal_;
  std::map<std::string, std::string> member_;
};

std::vector<std::string> default_internal();
bool is_multicast(const std::string& ip);

// SMB administrative shares (ATT&CK T1021.002, what PsExec copies to): a share
// name ending in '$' other than IPC$, the named-pipe share ordinary SMB clients
// open (MS-SRVS and other RPC over \PIPE\). IPC$ is compared case-insensitively.
bool is_admin_share(std::string_view name);
// The share name of a tree connect path ("\\server\ADMIN$" -> "ADMIN$").
std::string_view share_of_path(std::string_view path);
// A share name as a policy file may hold it (MS-FSCC 2.1.6): 1 to
// kMaxShareName characters (up to 3 UTF-8 bytes each), no quotes, slashes or
// control characters; or "*" (any share).
bool valid_share_name(std::string_view name);
// Whether a rule is one on which administrative shares are guarded (SMB over
// tcp/445 or NetBIOS tcp/139) and it learned none: a tree connect to an
// administrative share on it is denied (simulation, monitor mode, nftables).
bool guards_admin_shares(const Rule& r);

// The TOML policy file. write_policy_toml is deterministic (sorted);
// read_policy fills `err` with one line and returns false on a bad file.
std::string write_policy_toml(const Policy& p);
bool read_policy(const std::string& path, Policy& p, std::string& err);
// The same from text (`name` prefixes the error).
bool read_policy_text(std::string_view text, const std::string& name, Policy& p, std::string& err);

// A zone name or a service name as it may appear in firewall configurations:
// [a-z0-9_]; checked when a policy is read.
bool valid_name(const std::string& s);

}  // namespace ms::seg
