#include "dissectors/lldp/lldp.h"

#include "dissectors/text.h"

namespace ms::lldp {

namespace {

std::string id_value(Bytes v, uint8_t mac_subtype, uint8_t addr_subtype) {
  if (v.empty()) return "";
  uint8_t st = v[0];
  Bytes val = v.subspan(1);
  if (st == mac_subtype && val.size() == 6) return text::mac(val);
  if (st == addr_subtype && val.size() >= 5 && val[0] == 1) return text::ipv4(val.data() + 1);
  return text::str(val, 256);
}

}  // namespace

std::vector<std::string> capability_names(uint16_t bits) {
  static const char* n[] = {"other", "repeater", "bridge", "wlan_access_point", "router", "telephone",
                            "docsis_cable_device", "station_only", "c_vlan", "s_vlan", "two_port_mac_relay"};
  std::vector<std::string> out;
  for (int i = 0; i < 11; ++i) {
    if (bits & (1u << i)) out.push_back(n[i]);
  }
  return out;
}

bool parse(Bytes b, Info& in) {
  size_t p = 0;
  int tlvs = 0;
  bool chassis = false;
  while (p + 2 <= b.size() && tlvs++ < 128) {
    uint16_t h = be16(b.data() + p);
    uint8_t type = h >> 9;
    size_t len = h & 0x1ff;
    p += 2;
    if (p + len > b.size()) return chassis;
    Bytes v = b.subspan(p, len);
    p += len;
    switch (type) {
      case 0: return chassis;
      case 1: in.chassis_id = id_value(v, 4, 5); chassis = true; break;
      case 2: in.port_id = id_value(v, 3, 4); break;
      case 3: if (len >= 2) in.ttl = be16(v.data()); break;
      case 4: in.port_description = text::str(v); break;
      case 5: in.system_name = text::str(v); break;
      case 6: in.system_description = text::str(v, 512); break;
      case 7:
        if (len >= 4) {
          in.capabilities = capability_names(be16(v.data()));
          in.enabled = capability_names(be16(v.data() + 2));
        }
        break;
      case 8:  // management address: length, subtype, address
        if (len >= 2 && in.management_addresses.size() < 8) {
          uint8_t alen = v[0];
          if (alen >= 1 && 1u + alen <= len) {
            Bytes a = v.subspan(2, alen - 1);
            if (v[1] == 1 && a.size() == 4) in.management_addresses.push_back(text::ipv4(a.data()));
            else if (v[1] == 2 && a.size() == 16) in.management_addresses.push_back(text::ipv6(a.data()));
            else if (v[1] == 6 && a.size() == 6) in.management_addresses.push_back(text::mac(a));
          }
        }
        break;
      case 127:  // organizationally specific: OUI, subtype
        if (len >= 4 && v[0] == 0x00 && v[1] == 0x12 && v[2] == 0xbb) {  // TIA LLDP-MED
          Bytes val = v.subspan(4);
          switch (v[3]) {
            case 1:
              if (len >= 7) {
                static const char* cls[] = {"not_defined", "endpoint_class_1", "endpoint_class_2", "endpoint_class_3",
                                            "network_connectivity"};
                if (v[6] < 5) in.med_device_class = cls[v[6]];
              }
              break;
            case 5: in.hardware_rev = text::str(val); break;
            case 6: in.firmware_rev = text::str(val); break;
            case 7: in.software_rev = text::str(val); break;
            case 8: in.serial = text::str(val); break;
            case 9: in.manufacturer = text::str(val); break;
            case 10: in.model = text::str(val); break;
            case 11: in.asset_id = text::str(val); break;
            default: break;
          }
        }
        break;
      default:
        break;
    }
  }
  return chassis;
}

}  // namespace ms::lldp
