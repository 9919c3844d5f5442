// Cisco Discovery Protocol v1/v2 (LLC/SNAP OUI 00-00-0c, PID 0x2000): pure
// parser, span in (the bytes after the SNAP header), struct out.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::cdp {

struct Info {
  uint8_t version = 0, ttl = 0;
  std::string device_id, port_id, software_version, platform, vtp_domain;
  std::vector<std::string> addresses, management_addresses, capabilities;
  int native_vlan = -1;
};

bool parse(Bytes b, Info& out);

}  // namespace ms::cdp
