// LLDP (IEEE 802.1AB) with the LLDP-MED inventory TLVs (ANSI/TIA-1057 §10.2.6):
// pure parser, span in (the bytes after ethertype 0x88cc), struct out.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::lldp {

struct Info {
  std::string chassis_id, port_id, port_description, system_name, system_description;
  uint32_t ttl = 0;
  std::vector<std::string> capabilities, enabled, management_addresses;
  // LLDP-MED inventory
  std::string hardware_rev, firmware_rev, software_rev, serial, manufacturer, model, asset_id;
  std::string med_device_class;
};

bool parse(Bytes b, Info& out);
// Names of the capability bits (802.1AB table 8-4).
std::vector<std::string> capability_names(uint16_t bits);

}  // namespace ms::lldp
