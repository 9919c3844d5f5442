// Does an advisory's product entry name this device? Vendors compared through
// the inventory's aliases (data/vendor_aliases.csv) and a few forms
// advisories use ("General Electric (GE)", "Hillrom and ELI, Baxter", a typo
// of one letter); products by model numbers, then by the words of the
// product name. A product name that lists models ("MP Series (including
// MP2/X2/MP30/.../MX700/800)", "MX (MX400-550)") matches each of them.
// Versions are not looked at here (version.h, match.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exposure/csaf/csaf_reader.h"
#include "exposure/version.h"

namespace ms::exposure {

// What the inventory concluded about a device, as its record has it.
struct DeviceIdentity {
  std::string id, manufacturer, model, version, mac_vendor, type, ip, hostname;
  std::string observed;  // where the inventory saw them ("version: snmp.ent_rev 0.9 ..."), for the evidence
};

bool vendor_matches(std::string_view advisory_vendor, std::string_view device_vendor);

struct ProductMatch {
  bool matched = false;
  double confidence = 0;
  double coverage = 0;  // share of the product name's words the device's model has
  std::string how;  // which words or model numbers matched, for the evidence
};

// The entry's product (vendor, product and family names, full name, model
// numbers of its identification helper and of its version text) against
// the device's manufacturer and model.
ProductMatch match_product(const CsafProduct& p, const VersionSpec& spec, const DeviceIdentity& d);

// Model tokens of a product name, lists and ranges expanded (for tests and
// the evidence): "MX700/800" -> mx700 mx800; "MX400-550" -> mx400..mx550.
std::vector<std::string> product_tokens(std::string_view name);

}  // namespace ms::exposure
