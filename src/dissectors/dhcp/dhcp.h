// DHCPv4 (RFC 2131/2132, option overload RFC 2132 §9.3, FQDN RFC 4702) and
// DHCPv6 basics (RFC 8415): pure parsers, span in, struct out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::dhcp {

struct Message {
  int version = 4;
  uint8_t op = 0;         // v4: 1 request, 2 reply
  uint8_t msg_type = 0;   // option 53 (v4) or the v6 message type
  uint32_t xid = 0;
  std::string client_mac; // chaddr (v4, hlen bytes up to 16) or from the v6 DUID link-layer address
  std::string ciaddr, yiaddr, siaddr, giaddr;
  std::string requested_ip, server_id, subnet_mask, domain, message;
  std::string hostname;       // option 12
  std::string fqdn;           // option 81 (v4) / 39 (v6)
  std::string vendor_class;   // option 60 (v4) / 16 data (v6)
  uint32_t vendor_enterprise = 0;  // v6 option 16
  std::string user_class;     // option 77 / 15
  std::string client_id;      // option 61 (v4) hex, or the v6 client DUID hex
  std::string server_duid;    // v6 option 2 hex
  std::vector<uint16_t> params;  // option 55 / v6 ORO (6), in order
  std::vector<std::string> routers, dns_servers, addresses;  // addresses: v6 IA addresses
  int64_t lease_time = -1, renewal_time = -1, rebinding_time = -1;
  bool truncated_options = false;  // an option ran past the packet
};

// A BOOTP/DHCP message with the magic cookie: false if it is not one.
bool parse_v4(Bytes b, Message& m);
bool parse_v6(Bytes b, Message& m);

const char* v4_type_name(uint8_t t);  // "discover", ... or nullptr
const char* v6_type_name(uint8_t t);  // "solicit", ... or nullptr
// "1,3,6,15": option 55 as the ordered fingerprint string (Fingerbank style).
std::string fingerprint(const std::vector<uint16_t>& params);

}  // namespace ms::dhcp
