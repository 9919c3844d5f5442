// The inventory's knowledge base (every signature tested by its own example,
// every EOL row by its own name), the IEEE longest-prefix lookup, OS names
// from protocol versions, and the aggregation: caps, evictions, conflicts.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "dissectors/dhcp/dhcp_events.h"
#include "inventory/inventory.h"
#include "inventory/knowledge.h"

namespace {

using namespace ms::inv;

TEST(InventoryKnowledge, EverySignatureMatchesItsExample) {
  const auto& sigs = signatures();
  ASSERT_GE(sigs.size(), 100u);
  const auto& types = device_types();
  for (const Signature& s : sigs) {
    SCOPED_TRACE("data/device_signatures.csv rule " + std::to_string(s.line) + ": " + s.pattern);
    auto m = match(s, s.example);
    ASSERT_TRUE(m.has_value()) << "the example '" << s.example << "' does not match its rule";
    EXPECT_TRUE(std::find(types.begin(), types.end(), s.type) != types.end()) << "unknown type '" << s.type << "'";
    EXPECT_TRUE(s.cls.empty() || s.cls == "stationary" || s.cls == "wearable" || s.cls == "implantable" ||
                s.cls == "consumer")
        << s.cls;
    EXPECT_GT(s.confidence, 0);
    EXPECT_LE(s.confidence, 1);
    EXPECT_EQ(m->model.find('$'), std::string::npos) << "unsubstituted group in '" << m->model << "'";
    static const char* kAttrs[] = {"any", "hl7_app", "hostname", "oui_vendor", "snmp_object_id", "dicom_implementation",
                                   "dns_name"};
    EXPECT_TRUE(std::any_of(std::begin(kAttrs), std::end(kAttrs), [&](const char* a) { return s.attribute == a; }))
        << s.attribute;
  }
}

TEST(InventoryKnowledge, AtLeastFortyMedicalManufacturers) {
  std::set<std::string> makers;
  for (const Signature& s : signatures()) {
    if (!s.manufacturer.empty() && is_medical_type(s.type)) makers.insert(s.manufacturer);
  }
  EXPECT_GE(makers.size(), 40u);
}

TEST(InventoryKnowledge, SignaturesSubstituteModels) {
  const Signature* intellivue = nullptr;
  for (const Signature& s : signatures()) {
    if (s.example == "Philips IntelliVue MX450 Rev M.0") intellivue = &s;
  }
  ASSERT_NE(intellivue, nullptr);
  auto m = match(*intellivue, "PHILIPS IntelliVue MP70 Rev J.10");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->model, "IntelliVue MP70");
  EXPECT_FALSE(match(*intellivue, "IntelliSpace PACS"));
}

TEST(InventoryKnowledge, EveryEolRowNamesItself) {
  for (const EolEntry& e : eol_table()) {
    const EolEntry* got = eol_of(e.os);
    ASSERT_NE(got, nullptr) << e.os;
    EXPECT_EQ(got->end_of_support, e.end_of_support) << e.os << " matched the row of " << got->os;
    EXPECT_EQ(e.end_of_support.size(), 10u) << e.os;
  }
  EXPECT_EQ(eol_of("Windows Server 2022"), nullptr);
  EXPECT_EQ(eol_of("Debian 12"), nullptr);
  EXPECT_NE(eol_of("Windows XP"), nullptr);
}

TEST(InventoryKnowledge, OsFromProtocols) {
  EXPECT_EQ(os_from_ntlm_version("6.1 build 7601 rev 15"), "Windows 7 / Server 2008 R2 (build 7601)");
  EXPECT_EQ(os_from_ntlm_version("5.1 build 2600 rev 15"), "Windows XP (build 2600)");
  EXPECT_EQ(os_from_ntlm_version("10.0 build 19041 rev 15"), "Windows 10 / Server 2016-2019 (build 19041)");
  EXPECT_EQ(os_from_ntlm_version("6.1 build 0 rev 15"), "");  // Samba
  EXPECT_EQ(os_from_ntlm_version("garbage"), "");
  EXPECT_NE(eol_of(os_from_ntlm_version("6.1 build 7601 rev 15")), nullptr);
  EXPECT_EQ(os_from_text("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0)"), "Windows XP");
  EXPECT_EQ(os_from_text("Linux pump 2.6.32-431.el6.x86_64 #1 SMP"), "CentOS 6");
  EXPECT_EQ(os_from_text("Linux monitor 2.6.18 armv5tejl"), "Linux 2.6.18");
  EXPECT_EQ(os_from_text("Ubuntu 18.04.6 LTS"), "Ubuntu 18.04");
  EXPECT_EQ(os_from_text("nothing here"), "");
  EXPECT_EQ(os_from_ssh("OpenSSH_9.2p1", "Debian-2+deb12u10"), "Debian 12");
  EXPECT_EQ(os_from_ssh("OpenSSH_for_Windows_8.1", ""), "Windows");
  EXPECT_EQ(os_from_ssh("dropbear_2019.78", ""), "embedded Linux (Dropbear)");
}

TEST(InventoryKnowledge, VendorAliases) {
  EXPECT_EQ(canonical_vendor("GE MEDICAL SYSTEMS"), "GE Healthcare");
  EXPECT_EQ(canonical_vendor("GE Healthcare Japan"), "GE Healthcare");
  EXPECT_EQ(canonical_vendor("Carefusion"), "BD");
  EXPECT_EQ(canonical_vendor("Philips Medical Systems Nederland B.V."), "Philips");
  EXPECT_EQ(canonical_vendor("Siemens Healthcare Diagnostics"), "Siemens Healthineers");
  EXPECT_EQ(canonical_vendor("Dell Inc."), "Dell");
  EXPECT_EQ(canonical_vendor("Acme Widgets, Inc."), "Acme Widgets");
  EXPECT_EQ(canonical_vendor(""), "");
}

TEST(InventoryKnowledge, CsvQuoting) {
  auto rows = ms::parse_csv("# comment\na,\"b,c\",\"d \"\"e\"\"\"\n\nx,y,z\n", "t");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "b,c");
  EXPECT_EQ(rows[0][2], "d \"e\"");
  EXPECT_THROW(ms::parse_csv("a,\"b\n", "t"), std::runtime_error);
}

TEST(InventoryOui, LongestPrefixWins) {
  char dir[] = "/tmp/ms-oui-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string d = dir;
  std::ofstream(d + "/oui.csv") << "Registry,Assignment,Organization Name,Organization Address\n"
                                << "MA-L,0050C2,IEEE Registration Authority,x\nMA-L,001122,Big Vendor,\"a, b\"\n";
  std::ofstream(d + "/mam.csv") << "Registry,Assignment,Organization Name,Organization Address\nMA-M,0011223,Medium Co,x\n";
  std::ofstream(d + "/oui36.csv") << "Registry,Assignment,Organization Name,Organization Address\n"
                                  << "MA-S,0050C2123,Small Device Maker,x\n";
  OuiRegistry reg(d);
  EXPECT_EQ(reg.size(), 4u);
  EXPECT_EQ(reg.lookup("00:11:22:33:44:55"), "Medium Co");   // 28 bits beat 24
  EXPECT_EQ(reg.lookup("00:11:22:f3:44:55"), "Big Vendor");
  EXPECT_EQ(reg.lookup("00:50:c2:12:34:56"), "Small Device Maker");  // 36 bits
  EXPECT_EQ(reg.lookup("00:50:c2:ff:34:56"), "");                    // the block holder is not a vendor
  EXPECT_EQ(reg.lookup("02:11:22:33:44:55"), "");                    // locally administered
  EXPECT_EQ(reg.lookup("not a mac"), "");
  for (const char* f : {"/oui.csv", "/mam.csv", "/oui36.csv"}) unlink((d + f).c_str());
  rmdir(dir);
  // Debian's registry (ieee-data).
  EXPECT_NE(OuiRegistry::instance().lookup("00:09:5c:00:70:41").find("Philips"), std::string::npos);
  EXPECT_TRUE(mac_locally_administered("da:a1:19:00:00:01"));
  EXPECT_FALSE(mac_locally_administered("00:09:5c:00:70:41"));
}

// A DHCPv4 request as the dissector emits it: the typed event (the
// inventory reads its struct) with its JSON line.
ms::Event dhcp_request(const std::string& mac, const std::string& hostname, const std::string& vendor_class,
                       ms::TimeNs ts) {
  auto d = std::make_unique<ms::dhcp::DhcpEvent>();
  d->msg.op = 1;
  d->msg.msg_type = 3;  // request
  d->msg.client_mac = mac;
  d->msg.hostname = hostname;
  d->msg.vendor_class = vendor_class;
  d->derive();
  ms::Envelope env;
  env.ts = ts;
  env.flow_id = static_cast<uint64_t>(ts);
  env.src_ip = "0.0.0.0";
  env.dest_ip = "255.255.255.255";
  return ms::make_event(env, "dhcp", std::move(d));
}

std::string scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

TEST(Inventory, EvictsLeastRecentlySeenAndKeepsEverything) {
  std::string path = "/tmp/ms-inv-unit-" + std::to_string(getpid()) + ".db";
  unlink(path.c_str());
  {
    Options o;
    o.db_path = path;
    o.capture_key = "k";
    o.max_devices = 3;
    Inventory inv(o);
    for (int i = 0; i < 10; ++i) {
      std::string mac = "00:09:5c:00:00:" + std::string(i < 10 ? "0" : "") + std::to_string(i);
      inv.add(dhcp_request(mac, "MON-" + std::to_string(i), "PHILIPS IntelliVue MX450", 1000 + i));
    }
    auto events = inv.finish();
    EXPECT_EQ(inv.stats().evictions, 7u);
    EXPECT_EQ(inv.stats().max_resident, 3u);
    EXPECT_EQ(inv.stats().devices, 10u);
    EXPECT_EQ(events.size(), 10u);
    for (const auto& e : events) EXPECT_NE(e.json.find("\"patient monitor\""), std::string::npos) << e.json;
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM devices WHERE model='IntelliVue MX450'"), "10");
  EXPECT_EQ(scalar(db, "SELECT hostname FROM devices WHERE mac='00:09:5c:00:00:07'"), "MON-7");
  sqlite3_close(db);
  for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
}

TEST(Inventory, ConflictingEvidenceIsKept) {
  Options o;
  o.db_path = ":memory:";
  o.capture_key = "k";
  Inventory inv(o);
  std::string mac = "00:09:5c:00:00:01";
  inv.add(dhcp_request(mac, "", "PHILIPS IntelliVue MX450", 1));
  inv.add(dhcp_request(mac, "", "Mindray BeneVision N17", 2));
  auto events = inv.finish();
  ASSERT_EQ(events.size(), 1u);
  // Both models are candidates; the record keeps both with their evidence.
  EXPECT_NE(events[0].json.find("\"patient monitor\""), std::string::npos);
}

TEST(Inventory, RefusesANonDatabase) {
  std::string path = "/tmp/ms-inv-notdb-" + std::to_string(getpid());
  std::ofstream(path) << "this is not sqlite, it is a text file long enough to have a header of its own........";
  Options o;
  o.db_path = path;
  o.capture_key = "k";
  EXPECT_THROW(Inventory inv(o), std::runtime_error);
  unlink(path.c_str());
}

}  // namespace

namespace {

TEST(InventoryKnowledge, DhcpFingerprints) {
  auto xp = ms::inv::dhcp_fingerprint("1,15,3,6,44,46,47,31,33,249,43");
  ASSERT_FALSE(xp.empty());
  EXPECT_NE(xp[0].os.find("Windows XP"), std::string::npos);
  EXPECT_EQ(xp[0].family, "Windows");
  EXPECT_NE(ms::inv::eol_of(xp[0].os), nullptr);
  EXPECT_TRUE(ms::inv::dhcp_fingerprint("1,2,3,4,5,6,7,8,9,250").empty());
}

}  // namespace
