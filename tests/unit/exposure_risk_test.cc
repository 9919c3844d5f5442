// The KEV reader on CISA's catalog in ../shared/corpus and the risk score
// (src/exposure/risk.h): its ordering and that every factor is shown.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "exposure/risk.h"

namespace ms::exposure {
namespace {

const std::string kCorpus = std::string(MS_SOURCE_DIR) + "/../shared/corpus/";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const KevCatalog& kev() {
  static KevCatalog k = [] {
    KevCatalog c;
    EXPECT_EQ(parse_kev(slurp(kCorpus + "cisa-kev/known_exploited_vulnerabilities.json"), c), nullptr);
    return c;
  }();
  return k;
}

TEST(ExposureKev, CorpusCatalog) {
  EXPECT_EQ(kev().version, "2025.08.25");
  EXPECT_EQ(kev().by_cve.size(), 1404u);
  auto e = kev().by_cve.find("CVE-2017-0144");  // EternalBlue, in ICSMA-18-058-02
  ASSERT_NE(e, kev().by_cve.end());
  EXPECT_TRUE(e->second.ransomware);
  KevCatalog c;
  EXPECT_NE(parse_kev("{\"vulnerabilities\":[]}", c), nullptr);
  EXPECT_NE(parse_kev(slurp(kCorpus + "cisagov-CSAF/icsma/icsma-17-250-02a.json"), c), nullptr);
}

Link link(const std::string& device, const std::string& cve, double cvss, Status s) {
  Link l;
  l.device = device;
  l.advisory = "ICSMA-18-058-02";
  l.status = s;
  l.vulns.push_back({cve, "", "", "", cvss, s, ""});
  l.remediations.push_back("vendor_fix: apply the patch");
  return l;
}

RiskInput input(const std::string& id, const std::string& type, std::vector<Link> links, std::string record = "{}") {
  RiskInput in;
  in.id.id = id;
  in.id.manufacturer = "Philips";
  in.id.model = "M";
  in.id.type = type;
  in.links = std::move(links);
  in.record_json = std::move(record);
  return in;
}

bool has(const DeviceRisk& r, const std::string& kind) {
  return std::any_of(r.factors.begin(), r.factors.end(), [&](const RiskFactor& f) { return f.kind == kind; });
}

TEST(ExposureRisk, ClinicalRoleAndKevOrder) {
  // The same exploited vulnerability on a pump and on a printer.
  DeviceRisk pump = assess_risk(input("p", "infusion pump", {link("p", "CVE-2017-0144", 8.1, Status::kAffected)}), kev());
  DeviceRisk printer = assess_risk(input("q", "printer", {link("q", "CVE-2017-0144", 8.1, Status::kAffected)}), kev());
  EXPECT_GT(pump.score, printer.score);
  EXPECT_TRUE(has(pump, "kev"));
  EXPECT_TRUE(has(pump, "ransomware"));
  EXPECT_EQ(pump.level, "high");
  EXPECT_NE(pump.next_action.find("apply the patch"), std::string::npos);
  // Not in KEV: lower than the exploited one.
  DeviceRisk plain = assess_risk(input("r", "infusion pump", {link("r", "CVE-2017-12718", 8.1, Status::kAffected)}), kev());
  EXPECT_LT(plain.score, pump.score);
  EXPECT_FALSE(has(plain, "kev"));
  // Possibly affected weighs less than affected.
  DeviceRisk maybe = assess_risk(input("s", "infusion pump", {link("s", "CVE-2017-12718", 8.1, Status::kPossiblyAffected)}), kev());
  EXPECT_LT(maybe.score, plain.score);
}

TEST(ExposureRisk, VexAndExposureFactors) {
  Link l = link("p", "CVE-2017-0144", 8.1, Status::kNotAffected);
  l.vulns[0].justification = "VEX x: not_affected (code_not_reachable)";
  DeviceRisk r = assess_risk(input("p", "infusion pump", {l}), kev());
  EXPECT_EQ(r.score, 0);
  EXPECT_TRUE(has(r, "vex"));
  const char* record = R"({"exposure":{"default_credentials":["telnet admin"],"cleartext_logins":["telnet"],
    "smb_dialects":["NT LM 0.12"],"tls_weak":[]},"services":[{"app":"telnet","port":23,"security":"cleartext"}],
    "os_eol":{"os":"Windows XP","end_of_support":"2014-04-08","source":"Microsoft lifecycle"},
    "phi":{"handles":true,"protocols":["hl7"]}})";
  r = assess_risk(input("p", "infusion pump", {}, record), kev());
  for (const char* k : {"default_credentials", "cleartext_login", "smb1", "cleartext_service", "end_of_life", "phi"})
    EXPECT_TRUE(has(r, k)) << k;
  EXPECT_EQ(r.score, 40);  // E capped at 10: 100 x 1.0 x 0.4
  EXPECT_NE(r.next_action.find("default password"), std::string::npos);
  // The advisory itself says the product is past support (ICSMA's "(end-of-life Nov 2017)").
  Link eol = link("p", "CVE-2017-12718", 5.0, Status::kAffected);
  eol.spec = "range <=2.01 ((end-of-life Nov 2017))";
  r = assess_risk(input("p", "infusion pump", {eol}), kev());
  EXPECT_TRUE(has(r, "end_of_life"));
  DeviceRisk plain5 = assess_risk(input("p", "infusion pump", {link("p", "CVE-2017-12718", 5.0, Status::kAffected)}), kev());
  EXPECT_GT(r.score, plain5.score);
  // A record that is not JSON: no exposure factors, no crash.
  r = assess_risk(input("p", "infusion pump", {}, "{\"exposure\":"), kev());
  EXPECT_EQ(r.score, 0);
}

}  // namespace
}  // namespace ms::exposure

namespace ms::exposure {
namespace {

TEST(ExposureEpss, SampleAndRisk) {
  EpssTable t;
  ASSERT_EQ(parse_epss(slurp(std::string(MS_SOURCE_DIR) + "/tests/data/epss_sample.csv"), t), nullptr);
  EXPECT_EQ(t.model, "v2025.03.14");
  EXPECT_EQ(t.score_date, "2025-08-25T00:00:00+0000");
  EXPECT_EQ(t.by_cve.size(), 5u);
  EXPECT_DOUBLE_EQ(t.by_cve["CVE-2017-12725"].probability, 0.01893);
  EpssTable bad;
  EXPECT_NE(parse_epss("cve,score\nCVE-1,0.5\n", bad), nullptr);
  EXPECT_EQ(parse_epss("cve,epss,percentile\nCVE-1,1.5,0.2\nCVE-2,0.5,x\nnot,0.1,0.1\nCVE-3,0.2,0.9\n", bad), nullptr);
  EXPECT_EQ(bad.by_cve.size(), 1u);  // out-of-range and malformed rows skipped
  // The same vulnerability scores higher when EPSS says it is likely exploited.
  DeviceRisk without = assess_risk(input("p", "infusion pump", {link("p", "CVE-2017-12725", 5.0, Status::kAffected)}), kev());
  DeviceRisk with = assess_risk(input("p", "infusion pump", {link("p", "CVE-2017-12725", 5.0, Status::kAffected)}), kev(), t);
  EXPECT_GT(with.score, without.score);
  EXPECT_TRUE(has(with, "epss"));
}

}  // namespace
}  // namespace ms::exposure
