// The derivation's drivers (derive.h): address bindings over the whole
// store, then one device at a time through kSteps, then the device events.
#include "inventory/derive.h"

#include <algorithm>
#include <map>
#include <set>

#include "inventory/derive_cloud.h"
#include "inventory/derive_steps.h"

namespace ms::inv {

namespace {

constexpr size_t kGatewayAddresses = 16;  // a MAC seen with more IPs than this forwards for others

// The derivation of one device, in order. A step that sets `skip` ends it.
// A new conclusion is a new step here (or a reader in derive_read.cc when it
// comes from one attribute); see docs/inventory.md.
struct Step {
  const char* purpose;
  void (*run)(DeviceFacts&);
};
constexpr Step kSteps[] = {
    {"time span; an address key's own address", span_and_own_address},
    {"manufacturer from the IEEE registry", identity_from_ieee},
    {"every observation through its attribute's reader", read_observations},
    {"the device's addresses", list_addresses},
    {"FTP data ports are no services", drop_ftp_data_ports},
    {"remote or never seen addresses are peers, not devices", keep_devices_of_ours},
    {"identity from DICOM objects", identity_from_dicom_objects},
    {"identity from the device signatures", identity_from_signatures},
    {"versions from what the device writes about itself", versions_from_texts},
    {"type from roles in the traffic", type_from_roles},
    {"identity from the maker clouds it calls (derive_cloud.h)", identity_from_clouds},
    {"manufacturer, model, version, serial, hostname", choose_identity},
    {"type, medical, class", choose_type_and_class},
    {"medical when its maker's cloud says so", medical_from_clouds},
    {"OS and end of life", os_and_end_of_life},
    {"primary address", primary_address},
    {"the record", write_record},
    {"the digest of what a device event reports", write_digest},
};

// MACs that forward for others: seen in flows with many addresses, or bound
// to an address a DHCP server announces as a router.
std::set<std::string> gateway_macs(const std::map<std::string, std::vector<IpBinding>>& by_mac, const std::set<std::string>& router_ips) {
  std::set<std::string> gateways;
  for (const auto& [mac, bs] : by_mac) {
    std::set<std::string> flow_ips;
    for (const IpBinding& b : bs) {
      if (b.source == "flow") flow_ips.insert(b.ip);
      if (b.source != "flow" && router_ips.count(b.ip)) gateways.insert(mac);
    }
    if (flow_ips.size() > kGatewayAddresses) gateways.insert(mac);
  }
  return gateways;
}

// Each address goes to the MAC that held it most recently (ties: the
// smallest key); a gateway's flow addresses are others'.
std::map<std::string, std::string> address_owners(const std::map<std::string, std::vector<IpBinding>>& by_mac,
                                                  const std::set<std::string>& gateways) {
  std::map<std::string, std::pair<std::string, TimeNs>> owner;  // ip -> (mac key, last)
  for (const auto& [mac, bs] : by_mac) {
    bool gw = gateways.count(mac) > 0;
    for (const IpBinding& b : bs) {
      if (forwarded_for_others(gw, b.source, b.ip)) continue;
      auto& o = owner[b.ip];
      if (o.first.empty() || b.last > o.second || (b.last == o.second && mac < o.first)) o = {mac, b.last};
    }
  }
  std::map<std::string, std::string> mac_of_ip;
  for (auto& [ip, o] : owner) mac_of_ip.emplace(ip, std::move(o.first));
  return mac_of_ip;
}

}  // namespace

std::optional<DeviceRecord> derive_device(const std::string& key, const std::vector<ObservationRow>& rows, bool gateway) {
  DeviceFacts f(key, rows, gateway);
  for (const Step& s : kSteps) {
    s.run(f);
    if (f.skip) return std::nullopt;
  }
  return std::move(f.out);
}

std::vector<Event> derive_devices(Db& db, Stats& stats) {
  // 1. Address bindings: which MAC holds which IP.
  auto by_mac = ip_bindings(db);
  std::set<std::string> gateways = gateway_macs(by_mac, gateway_addresses(db));
  write_address_owners(db, address_owners(by_mac, gateways));
  // 2. What the devices table said before, for the device events.
  std::unordered_map<std::string, std::string> before = device_digests(db);
  // 3. Every device, one at a time (memory: one device's rows).
  DeviceTable table(db);
  std::vector<Event> events;
  stats.devices = stats.devices_new = stats.devices_changed = 0;
  for_each_device(db, [&](const std::string& key, const std::vector<ObservationRow>& rows) {
    std::optional<DeviceRecord> d = derive_device(key, rows, gateways.count(key) > 0);
    if (!d) return;
    ++stats.devices;
    table.write(*d);
    auto it = before.find(d->id);
    if (it == before.end()) {
      ++stats.devices_new;
      events.push_back(device_event(*d, ""));
    } else if (it->second != d->digest) {
      ++stats.devices_changed;
      events.push_back(device_event(*d, it->second));
    }
  });
  table.commit();
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.json < b.json;
  });
  return events;
}

}  // namespace ms::inv
