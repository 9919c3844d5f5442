// Exports of a policy to the firewalls hospitals run (docs/segmentation.md
// "Exports"). Each format is written from its vendor's documented syntax;
// every export ends in a default deny. medsentry never applies them.
#pragma once

#include <string>
#include <vector>

#include "segment/policy.h"

namespace ms::seg {

struct ExportFile {
  std::string name;  // relative path when a format writes several files
  std::string text;
};

// False with `err` naming the formats when `format` is unknown.
bool export_policy(const Policy& p, const std::string& format, std::vector<ExportFile>& out, std::string& err);

// What the writers share.
struct ZoneAddrs {
  std::vector<std::string> v4, v6;
};
ZoneAddrs zone_addrs(const Policy& p, const std::string& zone);
// Multicast and broadcast destinations as CIDRs of each family.
ZoneAddrs multicast_addrs();
// A rule's one-line description for comments and remarks: "it -> pacs tcp/104 dicom (flows 3)".
std::string rule_comment(const Rule& r);
// A zone as an upper-case object name ("ZONE_PACS").
std::string object_name(const std::string& zone);
// The rules in the order first-match firewalls need: internal to internal
// first, then those with `external` at one end (see export_vendor.cc).
std::vector<const Rule*> ordered_rules(const Policy& p);
bool involves_external(const Rule& r);
// The CIDRs of the internal ranges of one family.
std::vector<std::string> internal_of(const Policy& p, bool v4);

std::string export_nftables(const Policy& p, bool bridge);
std::string export_iptables(const Policy& p);
std::string export_cisco_ios(const Policy& p);
std::string export_cisco_asa(const Policy& p);
std::string export_paloalto(const Policy& p);
std::string export_fortigate(const Policy& p);
std::string export_ise(const Policy& p);
std::vector<ExportFile> export_capirca(const Policy& p);

}  // namespace ms::seg
