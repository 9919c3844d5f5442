// The inventory's derivation steps on observation rows, without a database:
// which keys are devices, DICOM objects and roles, services, gateways, and
// how evidence for one value adds up (src/inventory/derive*.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/derive.h"
#include "inventory/knowledge.h"
#include "inventory/versions.h"

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

// Issue 15: what held only on our own scenarios.
namespace {

using namespace ms::inv;

TEST(InventoryDeriveUnseen, HostsThatMoveImagesAreNotTheirMaker) {
  // A workstation that queries, retrieves and sends a study on: the objects
  // name the ultrasound that made them, not the workstation.
  std::vector<ObservationRow> rows = {
      row("dicom_object", "GE Healthcare|LOGIQ E10|R3.2.1|US5521|LOGIQ01|US", "dicom.c_store", 0.9),
      row("dicom_role", "store_scu", "dicom", 0.9),
      row("dicom_role", "query_scu", "dicom", 0.9),
      row("dicom_role", "retrieve_scu", "dicom", 0.9),
      row("dhcp_vendor_class", "MSFT 5.0", "dhcp.vendor_class", 0.9),
      row("hostname", "RADWS-12", "dhcp.hostname", 0.9),
      row("ttl", "64", "flow", 0.3),
  };
  auto d = derive_device("mac:00:14:22:00:50:30", rows, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->manufacturer, "Dell");
  EXPECT_EQ(d->model, "");
  EXPECT_EQ(d->type, "imaging workstation");
  // Option 60 "MSFT 5.0" beats the TTL family, with its confidence shown.
  EXPECT_EQ(d->os, "Windows");
  EXPECT_TRUE(has(d->record_json, R"("os_confidence":0.8)")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"("dhcp_vendor_class":["MSFT 5.0"])")) << d->record_json;
  // The same objects from a host that only sends them describe it.
  auto us = derive_device("mac:44:4b:5d:00:50:51", {rows[0], rows[1]}, false);
  ASSERT_TRUE(us);
  EXPECT_EQ(us->model, "LOGIQ E10");
  EXPECT_EQ(us->version, "R3.2.1");
}

TEST(InventoryDeriveUnseen, Hl7SendersAreNotEngines) {
  // A sender of results (its ACKs give it no receiver role: hl7_observe.cc).
  auto mon = derive_device("mac:44:4b:5d:00:50:43",
                           {row("role", "hl7_sender", "hl7", 0.9), row("hl7_app", "MAC5500", "hl7.sending_application", 0.9),
                            row("hostname", "MAC5500-CARDIO-2", "dhcp.hostname", 0.9)},
                           false);
  ASSERT_TRUE(mon);
  EXPECT_EQ(mon->type, "patient monitor");
  EXPECT_EQ(mon->model, "MAC5500");
  // One sender's receiver on a PC is a PC; several senders' is an engine.
  std::vector<ObservationRow> one = {row("role", "hl7_receiver", "hl7", 0.9), row("hl7_from", "ip:10.0.0.5", "hl7", 0.9)};
  auto lis = derive_device("mac:00:14:22:00:50:60", one, false);
  ASSERT_TRUE(lis);
  EXPECT_EQ(lis->type, "general workstation/server");
  one.push_back(row("hl7_from", "ip:10.0.0.6", "hl7", 0.9));
  auto engine = derive_device("mac:00:14:22:00:50:60", one, false);
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->type, "HL7/interface engine");
}

TEST(InventoryDeriveUnseen, ModuleMakerDoesNotNameTheDevice) {
  // A Murata Wi-Fi module's MAC; the device names itself in HL7 only.
  auto d = derive_device("mac:00:26:e8:00:50:42", {row("hl7_app", "RADICAL7", "hl7.sending_application", 0.9)}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->manufacturer, "Masimo");
  EXPECT_EQ(d->type, "patient monitor");
}

TEST(InventoryDeriveUnseen, VersionsWithTheirSource) {
  auto d = derive_device(
      "mac:00:0f:14:00:50:41",
      {row("description", "Mindray BeneVision N17 Patient Monitor, Software Version 01.20.00", "snmp.sys_descr", 0.8),
       row("http_server", "Apache/2.4.57 (Debian)", "http.server", 0.8),
       row("ssh_software", "OpenSSH_9.2p1 Debian-2", "ssh.server_software", 0.7)},
      false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->version, "01.20.00");
  EXPECT_TRUE(has(d->record_json, R"("version_source":"snmp.sys_descr")")) << d->record_json;
  // A web server's or SSH server's version is software on the device, not the device's.
  EXPECT_TRUE(has(d->record_json, R"({"software":"Apache 2.4.57","sources":["http.server"]})")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"({"software":"OpenSSH 9.2p1","sources":["ssh.server_software"]})")) << d->record_json;
}

TEST(InventoryDeriveUnseen, Hl7SoftwareSegmentGivesTheVersion) {
  // SFT-2 of the messages a monitor sends (hl7_observe.cc), over a TTL guess.
  auto d = derive_device("mac:44:4b:5d:00:50:41",
                         {row("version", "2.1.4", "hl7.sft", 0.9), row("description", "GE Healthcare CARESCAPE B650", "hl7.sft", 0.8)},
                         false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->version, "2.1.4");
  EXPECT_EQ(d->model, "CARESCAPE B650");
  EXPECT_TRUE(has(d->record_json, R"("version_source":"hl7.sft")")) << d->record_json;
}

TEST(InventoryDeriveUnseen, ExternalHostsAreNotDevices) {
  // A MAC on the segment whose only IPv4 address is an internet one: a peer.
  std::vector<ObservationRow> rows = {row("ip", "203.0.113.50", "flow", 0.5), row("ip", "fe80::1", "flow", 0.5),
                                      row("service", "tcp/8080/http|cleartext", "flow", 0.5)};
  EXPECT_FALSE(derive_device("mac:00:1b:21:00:30:99", rows, false));
  rows.push_back(row("ip", "10.60.0.9", "arp", 0.9));
  EXPECT_TRUE(derive_device("mac:00:1b:21:00:30:99", rows, false));
}

TEST(InventoryVersions, KeywordsAndTokens) {
  EXPECT_EQ(device_version_in("Philips IntelliVue MX800 Rev M.00.03"), "M.00.03");
  EXPECT_EQ(device_version_in("Firmware: 2.1.3 build 77"), "2.1.3");
  EXPECT_EQ(device_version_in("Infusomat Space V01.20.00"), "01.20.00");
  EXPECT_EQ(device_version_in("Linux host 5.10.0-21-amd64 #1 SMP"), "");
  EXPECT_EQ(device_version_in("IntelliVue MX800 - Service"), "");
  SoftwareVersion sw;
  ASSERT_TRUE(software_version_in("dropbear_2022.83", sw));
  EXPECT_EQ(sw.name, "dropbear");
  EXPECT_EQ(sw.version, "2022.83");
  EXPECT_FALSE(software_version_in("IntelliVue MX800", sw));
}

}  // namespace
