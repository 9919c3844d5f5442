// The inventory's derivation steps on observation rows, without a database:
// which keys are devices, DICOM objects and roles, services, gateways, and
// how evidence for one value adds up (src/inventory/derive*.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/derive.h"
#include "inventory/knowledge.h"

namespace {

using namespace ms::inv;

ObservationRow row(const std::string& attr, const std::string& value, const std::string& source, double conf,
                   uint64_t count = 1, uint64_t bytes = 0) {
  ObservationRow r;
  r.attr = attr;
  r.value = value;
  r.source = source;
  r.conf = conf;
  r.first = 1000;
  r.last = 2000;
  r.count = count;
  r.bytes = bytes;
  return r;
}

bool has(const std::string& json, const std::string& part) { return json.find(part) != std::string::npos; }

TEST(InventoryDerive, RemoteOrUnseenAddressesAreNoDevices) {
  // Named (a DNS answer) but never seen: a name, not a device.
  EXPECT_FALSE(derive_device("ip:10.1.2.3", {row("dns_name", "pacs.example", "dns.answer", 0.5)}, false));
  // Seen, but outside the hospital's networks: a peer.
  EXPECT_FALSE(derive_device("ip:8.8.8.8", {row("seen", "1", "flow", 0.3)}, false));
  auto d = derive_device("ip:10.1.2.3", {row("seen", "1", "flow", 0.3)}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->primary_ip, "10.1.2.3");
  EXPECT_EQ(d->ips, std::vector<std::string>{"10.1.2.3"});
  EXPECT_EQ(d->type, "unknown");
  EXPECT_EQ(d->cls, "unknown");
}

TEST(InventoryDerive, DicomObjectsDescribeTheirMaker) {
  std::vector<ObservationRow> rows = {
      row("dicom_object", "SIEMENS|SOMATOM go.Up|VA30|12345|CT01|CT", "dicom_file", 0.9),
      row("dicom_role", "store_scu", "dicom_command", 0.9),
  };
  auto d = derive_device("mac:02:00:00:00:00:01", rows, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, "CT");
  EXPECT_TRUE(d->medical);
  EXPECT_EQ(d->cls, "stationary");
  EXPECT_EQ(d->model, "SOMATOM go.Up");
  EXPECT_EQ(d->serial, "12345");
  EXPECT_EQ(d->manufacturer, canonical_vendor("SIEMENS"));
  EXPECT_TRUE(has(d->record_json, R"("observed":"modality CT")")) << d->record_json;
  // A device that answers retrievals forwards others' images: its objects say
  // nothing about it, its role does.
  rows.push_back(row("dicom_role", "retrieve_scp", "dicom_command", 0.9));
  d = derive_device("mac:02:00:00:00:00:01", rows, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, "PACS/archive");
  EXPECT_EQ(d->model, "");
}

TEST(InventoryDerive, FtpDataPortsAreNoServices) {
  std::vector<ObservationRow> rows = {
      row("service", "tcp/21/ftp|cleartext", "flow", 0.9, 3, 300),
      row("service", "tcp/50123/unknown", "flow", 0.9, 1, 5000),
      row("ftp_data_port", "50123", "ftp", 0.9),
  };
  auto d = derive_device("ip:10.0.0.9", rows, false);
  ASSERT_TRUE(d);
  EXPECT_TRUE(has(d->record_json, R"({"proto":"tcp","port":21,"app":"ftp","security":"cleartext","flows":3,"bytes":300)"))
      << d->record_json;
  EXPECT_FALSE(has(d->record_json, "50123,")) << d->record_json;
  EXPECT_FALSE(has(d->record_json, R"("port":50123)"));
}

TEST(InventoryDerive, GatewayKeepsOnlyItsOwnAddresses) {
  std::vector<ObservationRow> rows = {
      row("ip", "10.0.0.1", "arp", 0.9),
      row("ip", "10.0.5.7", "flow", 0.5),      // forwarded for a host behind it
      row("ip", "fe80::1", "flow", 0.5),       // link-local: its own
  };
  auto d = derive_device("mac:02:00:00:00:00:fe", rows, true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ips, (std::vector<std::string>{"10.0.0.1", "fe80::1"}));
  EXPECT_EQ(d->primary_ip, "10.0.0.1");
  EXPECT_EQ(d->type, "network infrastructure");
  EXPECT_TRUE(has(d->record_json, R"("gateway":true)"));
}

TEST(InventoryDerive, IndependentEvidenceAddsUp) {
  // Two hints of 0.5 from different sources: 1 - 0.5 * 0.5.
  std::vector<ObservationRow> rows = {
      row("hostname", "ward3-pump", "dhcp.hostname", 0.5),
      row("hostname", "ward3-pump", "nbns", 0.5),
      row("hostname", "other-name", "mdns", 0.7),
  };
  auto d = derive_device("mac:02:00:00:00:00:02", rows, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hostname, "ward3-pump");
  EXPECT_TRUE(has(d->record_json, R"({"value":"ward3-pump","confidence":0.75)")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"({"value":"other-name","confidence":0.7)"));
}

}  // namespace
