#include "dissectors/arp/arp.h"

#include "dissectors/text.h"

namespace ms::arp {

bool parse(Bytes b, Info& out) {
  // htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4: 28 bytes; padding may follow.
  if (b.size() < 28) return false;
  if (be16(b.data()) != 1 || be16(b.data() + 2) != 0x0800 || b[4] != 6 || b[5] != 4) return false;
  out.op = be16(b.data() + 6);
  if (out.op != 1 && out.op != 2) return false;
  out.sender_mac = text::mac(b.subspan(8, 6));
  out.sender_ip = text::ipv4(b.data() + 14);
  out.target_mac = text::mac(b.subspan(18, 6));
  out.target_ip = text::ipv4(b.data() + 24);
  out.probe = out.sender_ip == "0.0.0.0";
  out.gratuitous = !out.probe && out.sender_ip == out.target_ip;
  return true;
}

}  // namespace ms::arp
