// ARP (RFC 826) for Ethernet and IPv4: who says it holds which address.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.h"

namespace ms::arp {

struct Info {
  uint16_t op = 0;  // 1 request, 2 reply
  std::string sender_mac, sender_ip, target_mac, target_ip;
  bool gratuitous = false;  // sender announces its own address (spa == tpa)
  bool probe = false;       // RFC 5227 probe: sender IP 0.0.0.0
};

// False if the bytes are not an Ethernet/IPv4 ARP message.
bool parse(Bytes b, Info& out);

}  // namespace ms::arp
