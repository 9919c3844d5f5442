// The maker-cloud table (data/cloud_endpoints.csv) row by row, the name and
// user-agent lookups, and the derivation's use of them on observation rows:
// a device calling its maker's cloud, a phone running a companion app, a
// browser on the makers' www. sites (issue 16; src/inventory/cloud_knowledge.cc,
// src/inventory/derive_cloud.cc).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "inventory/cloud_knowledge.h"
#include "inventory/derive.h"
#include "inventory/derive_cloud.h"

namespace {

using namespace ms::inv;

ObservationRow row(const std::string& attr, const std::string& value, const std::string& source, double conf = 0.8) {
  ObservationRow r;
  r.attr = attr;
  r.value = value;
  r.source = source;
  r.conf = conf;
  r.first = 1000;
  r.last = 2000;
  r.count = 1;
  r.flow_id = 7;
  return r;
}

bool has(const std::string& json, const std::string& part) { return json.find(part) != std::string::npos; }

TEST(CloudKnowledge, EveryRowFindsItselfAndItsSubdomainsButNotWww) {
  const auto& rows = cloud_endpoints();
  ASSERT_GE(rows.size(), 15u);
  std::set<std::string> makers;
  for (const CloudEndpoint& e : rows) {
    makers.insert(e.maker);
    if (e.user_agent) {
      EXPECT_EQ(cloud_of_user_agent(e.pattern + "/1.0 (iPhone; iOS 16.0)"), &e) << e.pattern;
      EXPECT_EQ(cloud_of_user_agent("Mozilla/5.0 x" + e.pattern + "/1.0"), nullptr) << e.pattern;
      continue;
    }
    EXPECT_EQ(cloud_of_name(e.pattern), &e) << e.pattern;
    EXPECT_EQ(cloud_of_name("eu1." + e.pattern + "."), &e) << e.pattern;
    std::string upper = e.pattern;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(cloud_of_name(upper), &e) << e.pattern;
    // The maker's marketing site and look-alikes are not its cloud.
    EXPECT_EQ(cloud_of_name("www." + e.pattern), nullptr) << e.pattern;
    EXPECT_EQ(cloud_of_name("x" + e.pattern), nullptr) << e.pattern;
    EXPECT_EQ(cloud_of_name(e.pattern + ".evil.example"), nullptr) << e.pattern;
    EXPECT_EQ(e.source.rfind("https://", 0), 0u) << e.pattern;
  }
  EXPECT_GE(makers.size(), 11u);  // the makers docs/inventory.md lists as sourced
  EXPECT_EQ(cloud_of_name(""), nullptr);
  EXPECT_EQ(cloud_of_name(std::string(300, 'a') + ".withings.net"), nullptr);
  EXPECT_EQ(cloud_of_name("net"), nullptr);
}

TEST(CloudKnowledge, DeviceCallingItsMakersCloudIsTheMakersDevice) {
  std::vector<ObservationRow> rows = {
      row("cloud_name", "wbsapi.withings.net", "dns.query"),
      row("cloud_name", "wbsapi.withings.net", "tls.sni"),
      row("seen", "1", "flow", 0.3),
  };
  auto d = derive_device("ip:10.1.2.3", rows, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->manufacturer, "Withings");
  EXPECT_EQ(d->cls, "consumer");
  EXPECT_EQ(d->type, "personal health device");
  EXPECT_TRUE(d->medical);
  // A fitness tracker's cloud: a personal health device, not medical.
  auto fit = derive_device("ip:10.1.2.9", {row("cloud_name", "api.fitbit.com", "tls.sni"), row("seen", "1", "flow", 0.3)}, false);
  ASSERT_TRUE(fit);
  EXPECT_EQ(fit->type, "personal health device");
  EXPECT_EQ(fit->manufacturer, "Fitbit (Google)");
  EXPECT_FALSE(fit->medical);
  EXPECT_TRUE(has(d->model, "BPM")) << d->model;
  EXPECT_TRUE(has(d->record_json, R"("device_of":[{"maker":"Withings")")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"("companion_of":[])")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, "data/cloud_endpoints.csv row 1")) << d->record_json;
}

TEST(CloudKnowledge, PhoneCallingACloudRunsTheCompanionApp) {
  // Android's DHCP vendor class: a phone; it calls Withings on the BPM's
  // behalf and Dexcom Share (apps only) with the app's user agent.
  std::vector<ObservationRow> rows = {
      row("dhcp_vendor_class", "android-dhcp-13", "dhcp", 0.9),
      row("cloud_name", "wbsapi.withings.net", "tls.sni"),
      row("user_agent", "Dexcom Share/3.0.2.11 CFNetwork/711.2.23 Darwin/14.0.0", "http.user_agent"),
      row("seen", "1", "flow", 0.3),
  };
  auto d = derive_device("ip:10.1.2.4", rows, false);
  ASSERT_TRUE(d);
  EXPECT_NE(d->manufacturer, "Withings");
  EXPECT_NE(d->manufacturer, "Dexcom");
  EXPECT_FALSE(d->medical);
  EXPECT_TRUE(has(d->record_json, R"("device_of":[])")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"("maker":"Withings")")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"("maker":"Dexcom")")) << d->record_json;
  EXPECT_TRUE(has(d->record_json, R"x("phone_or_computer":"Android (DHCP vendor class android-dhcp-13)")x")) << d->record_json;
  // An app-only cloud makes a companion even without phone evidence (a PC's uploader).
  auto pc = derive_device("ip:10.1.2.5", {row("cloud_name", "carelink.minimed.eu", "tls.sni"), row("seen", "1", "flow", 0.3)}, false);
  ASSERT_TRUE(pc);
  EXPECT_TRUE(has(pc->record_json, R"("companion_of":[{"maker":"Medtronic")")) << pc->record_json;
  EXPECT_FALSE(pc->medical);
}

TEST(CloudKnowledge, ClinicalPeersAreAFinding) {
  std::vector<ObservationRow> rows = {
      row("dhcp_vendor_class", "android-dhcp-13", "dhcp", 0.9),
      row("cloud_name", "share2.dexcom.com", "dns.query"),
      row("peer", "out|10.1.0.20|tcp/2575/hl7", "flow", 0.3),
      row("seen", "1", "flow", 0.3),
  };
  auto d = derive_device("ip:10.1.2.6", rows, false);
  ASSERT_TRUE(d);
  EXPECT_TRUE(has(d->record_json, R"("clinical_peers":["10.1.0.20 tcp/2575/hl7"],"on_clinical_systems":true)")) << d->record_json;
}

TEST(CloudKnowledge, BrowsingTheMakersSitesConcludesNothing) {
  std::vector<ObservationRow> rows = {
      row("user_agent", "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
          "http.user_agent"),
      row("seen", "1", "flow", 0.3),
  };
  auto d = derive_device("ip:10.1.2.7", rows, false);
  ASSERT_TRUE(d);
  EXPECT_FALSE(has(d->record_json, R"("cloud")")) << d->record_json;
  EXPECT_EQ(phone_or_computer_evidence(rows).rfind("Android", 0), 0u);
}

}  // namespace
