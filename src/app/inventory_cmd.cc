// `medsentry inventory`: the devices of the inventory database, as an aligned
// table, CSV or JSON, filtered by type, vendor or subnet.
#include "app/inventory_cmd.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include "app/table.h"
#include "common/cidr.h"
#include "common/json_reader.h"
#include "common/json_writer.h"
#include "common/types.h"
#include "dissectors/text.h"
#include "inventory/inventory.h"

namespace ms {

namespace {

struct Device {
  std::string mac, ip, ips, mac_vendor, manufacturer, model, version, serial, type, cls, os, hostname, record;
  bool medical = false, eol = false;
  int64_t first = 0, last = 0;
};

// The record's `cloud` key (issue 16) in words: "10.1.0.7 (Android ...) runs
// the companion app of Dexcom Dexcom CGM (Dexcom Share)", "... calls the
// cloud of Withings ...", and whether it talks to clinical systems.
void print_cloud_lines(std::ostream& out, const Device& d) {
  if (d.record.find(",\"cloud\":") == std::string::npos) return;
  JsonValue value;
  if (parse_json_member(d.record, "cloud", value) != nullptr || value.type != JsonValue::kObject) return;
  const JsonValue* cloud = &value;
  std::string who = d.ip.empty() ? d.mac : d.ip;
  std::string_view why = json_str(cloud, "phone_or_computer");
  for (const char* key : {"device_of", "companion_of"}) {
    const JsonValue* uses = cloud->get(key);
    if (!uses) continue;
    bool companion = std::string_view(key) == "companion_of";
    for (const JsonValue& u : uses->items) {
      out << (companion ? "phone " : "device ") << who;
      if (companion && !why.empty()) out << " (" << why << ")";
      out << (companion ? " runs the companion app of " : " calls the cloud of ") << json_str(&u, "maker") << " "
          << json_str(&u, "product_family") << " [" << json_str(&u, "class") << (json_true(&u, "medical") ? ", medical" : "")
          << "]";
      if (json_true(cloud, "on_clinical_systems")) out << "; talks to clinical systems";
      out << "\n";
    }
  }
}

std::string col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

std::string csv_field(const std::string& v) {
  // A leading = + - @ would be a formula in a spreadsheet: quote it with '.
  std::string s = v;
  if (!s.empty() && std::strchr("=+-@", s[0])) s = "'" + s;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// What the record says beside the columns: where the version was read, the
// OS's confidence, the DHCP vendor classes (docs/inventory.md).
struct RecordExtras {
  std::string version_source, os_confidence, vendor_class;
};
RecordExtras record_extras(const std::string& record) {
  RecordExtras x;
  JsonValue v;
  if (!parse_json_member(record, "version_source", v)) x.version_source = std::string(v.str());
  if (!parse_json_member(record, "os_confidence", v) && v.type == JsonValue::kNumber) x.os_confidence = v.text;
  if (!parse_json_member(record, "dhcp_vendor_class", v) && v.type == JsonValue::kArray) {
    for (const JsonValue& c : v.items) x.vendor_class += (x.vendor_class.empty() ? "" : "; ") + std::string(c.str());
  }
  return x;
}

}  // namespace

int run_inventory(const InventoryOptions& o) {
  Cidr cidr;
  if (!o.subnet.empty() && !parse_cidr(o.subnet, cidr)) {
    std::cerr << "medsentry: error: --subnet: '" << o.subnet << "' is not an address or CIDR (10.1.0.0/16, fd00::/8)\n";
    return 2;
  }
  std::vector<Device> devs;
  try {
    inv::Db db(o.db_path.empty() ? inv::default_db_path() : o.db_path, false);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db.handle(),
                       "SELECT mac, ip, ips, mac_vendor, manufacturer, model, version, serial, type, class, os, hostname, "
                       "record, medical, os_eol, first_ns, last_ns FROM devices",
                       -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      Device d{col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6),
               col(st, 7), col(st, 8), col(st, 9), col(st, 10), col(st, 11), col(st, 12)};
      d.medical = sqlite3_column_int(st, 13) != 0;
      d.eol = sqlite3_column_int(st, 14) != 0;
      d.first = sqlite3_column_int64(st, 15);
      d.last = sqlite3_column_int64(st, 16);
      devs.push_back(std::move(d));
    }
    sqlite3_finalize(st);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  std::string type = text::lower(o.type), vendor = text::lower(o.vendor);
  std::vector<const Device*> shown;
  for (const Device& d : devs) {
    if (!type.empty() && text::lower(d.type).find(type) == std::string::npos) continue;
    if (!vendor.empty() && text::lower(d.manufacturer).find(vendor) == std::string::npos &&
        text::lower(d.mac_vendor).find(vendor) == std::string::npos)
      continue;
    if (o.medical_only && !d.medical) continue;
    if (!o.subnet.empty()) {
      bool any = false;
      size_t i = 0;
      while (i <= d.ips.size() && !any) {
        size_t j = d.ips.find(' ', i);
        if (j == std::string::npos) j = d.ips.size();
        any = in_cidr(d.ips.substr(i, j - i), cidr);
        i = j + 1;
      }
      if (!any) continue;
    }
    shown.push_back(&d);
  }
  // Medical devices first, then by address.
  std::sort(shown.begin(), shown.end(), [](const Device* a, const Device* b) {
    if (a->medical != b->medical) return a->medical;
    uint8_t x[16] = {}, y[16] = {};
    bool xa = inet_pton(AF_INET, a->ip.c_str(), x) == 1, ya = inet_pton(AF_INET, b->ip.c_str(), y) == 1;
    if (xa != ya) return xa;
    int c = std::memcmp(x, y, 16);
    if (c != 0) return c < 0;
    return std::tie(a->ip, a->mac) < std::tie(b->ip, b->mac);
  });

  if (o.format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < shown.size(); ++i) out += (i ? ",\n" : "\n") + shown[i]->record;
    out += shown.empty() ? "]\n" : "\n]\n";
    std::cout << out;
    return 0;
  }
  auto os_cell = [](const Device& d, const RecordExtras& x) {
    std::string c = d.os;
    if (!c.empty() && !x.os_confidence.empty()) c += " (" + x.os_confidence + ")";
    return c + (d.eol ? " (EOL)" : "");
  };
  auto version_cell = [](const Device& d, const RecordExtras& x) {
    return d.version.empty() || x.version_source.empty() ? d.version : d.version + " (" + x.version_source + ")";
  };
  if (o.format == "csv") {
    std::cout << "mac,ip,ips,mac_vendor,manufacturer,model,version,serial,type,class,medical,os,os_eol,hostname,first_seen,"
                 "last_seen,version_source,os_confidence,dhcp_vendor_class\n";
    for (const Device* d : shown) {
      RecordExtras x = record_extras(d->record);
      std::cout << csv_field(d->mac) << ',' << csv_field(d->ip) << ',' << csv_field(d->ips) << ',' << csv_field(d->mac_vendor)
                << ',' << csv_field(d->manufacturer) << ',' << csv_field(d->model) << ',' << csv_field(d->version) << ','
                << csv_field(d->serial) << ',' << csv_field(d->type) << ',' << csv_field(d->cls) << ','
                << (d->medical ? "yes" : "no") << ',' << csv_field(d->os) << ',' << (d->eol ? "yes" : "no") << ','
                << csv_field(d->hostname) << ',' << format_time(d->first) << ',' << format_time(d->last) << ','
                << csv_field(x.version_source) << ',' << csv_field(x.os_confidence) << ',' << csv_field(x.vendor_class) << "\n";
    }
    return 0;
  }
  // Table.
  const char* heads[] = {"IP", "MAC", "MANUFACTURER", "MODEL", "VERSION (SOURCE)", "TYPE", "CLASS", "OS (CONFIDENCE)",
                         "DHCP VENDOR CLASS", "HOSTNAME", "LAST SEEN"};
  std::vector<std::vector<std::string>> rows;
  for (const Device* d : shown) {
    std::string last = format_time(d->last).substr(0, 19);
    RecordExtras x = record_extras(d->record);
    rows.push_back({d->ip, d->mac, d->manufacturer, d->model, version_cell(*d, x), d->type, d->cls, os_cell(*d, x),
                    x.vendor_class, d->hostname, last});
  }
  print_table(std::cout, std::vector<std::string>(std::begin(heads), std::end(heads)), std::move(rows), 40);
  size_t med = static_cast<size_t>(std::count_if(shown.begin(), shown.end(), [](const Device* d) { return d->medical; }));
  std::cout << shown.size() << " devices (" << med << " medical) of " << devs.size() << "\n";
  for (const Device* d : shown) print_cloud_lines(std::cout, *d);
  return 0;
}

}  // namespace ms
