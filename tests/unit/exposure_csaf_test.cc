// The CSAF reader and the device matching (src/exposure/) on the 144 real
// CISA ICSMA advisories of ../shared/corpus/cisagov-CSAF/icsma.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "exposure/csaf/csaf_reader.h"
#include "exposure/match.h"

namespace ms::exposure {
namespace {

const std::string kDir = std::string(MS_SOURCE_DIR) + "/../shared/corpus/cisagov-CSAF/icsma/";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CsafDoc load(const std::string& name) {
  CsafDoc d;
  const char* err = parse_csaf(slurp(kDir + name), d);
  EXPECT_EQ(err, nullptr) << name << ": " << (err ? err : "");
  return d;
}

DeviceIdentity dev(std::string manufacturer, std::string model, std::string version) {
  DeviceIdentity d;
  d.id = "aa:bb:cc:00:00:01";
  d.manufacturer = std::move(manufacturer);
  d.model = std::move(model);
  d.version = std::move(version);
  return d;
}

TEST(ExposureCsaf, AllCorpusAdvisoriesLoad) {
  size_t files = 0, products = 0, vulns = 0, unknown = 0;
  std::vector<std::string> texts;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() != ".json") continue;
    ++files;
    CsafDoc d;
    const char* err = parse_csaf(slurp(e.path()), d);
    ASSERT_EQ(err, nullptr) << e.path() << ": " << err;
    EXPECT_FALSE(d.id.empty());
    EXPECT_FALSE(d.products.empty()) << d.id;
    EXPECT_FALSE(d.vulns.empty()) << d.id;
    EXPECT_EQ(d.dropped, 0u) << d.id;
    products += d.products.size();
    vulns += d.vulns.size();
    unknown += uninterpreted_entries(d, &texts);
  }
  // The corpus MANIFEST: 144 advisories, 433 vulnerabilities; 607 products.
  EXPECT_EQ(files, 144u);
  EXPECT_EQ(vulns, 433u);
  EXPECT_EQ(products, 607u);
  std::cout << "[ csaf ] " << files << " advisories, " << products << " product entries, " << unknown
            << " version texts not interpreted\n";
  for (const std::string& t : texts) std::cout << "[ csaf ]   not interpreted: " << t << "\n";
  EXPECT_EQ(unknown, 0u);
}

TEST(ExposureCsaf, ReaderFields) {
  CsafDoc d = load("icsma-17-250-02a.json");
  EXPECT_EQ(d.id, "ICSMA-17-250-02A");
  EXPECT_EQ(d.csaf_version, "2.0");
  ASSERT_EQ(d.products.size(), 3u);
  EXPECT_EQ(d.products[0].vendor, "Smiths Medical");
  EXPECT_EQ(d.products[0].product, "Medfusion 4000 Wireless Syringe Infusion Pump");
  EXPECT_EQ(d.vulns.size(), 8u);
  EXPECT_EQ(d.vulns[0].known_affected.size(), 3u);
  ASSERT_FALSE(d.vulns[0].scores.empty());
  EXPECT_EQ(d.vulns[0].scores[0].vector.rfind("CVSS:3", 0), 0u);
  EXPECT_FALSE(d.vulns[0].remediations.empty());
}

TEST(ExposureCsaf, RejectsWhatIsNotCsaf) {
  CsafDoc d;
  EXPECT_NE(parse_csaf("", d), nullptr);
  EXPECT_NE(parse_csaf("{\"bomFormat\":\"CycloneDX\"}", d), nullptr);
  EXPECT_NE(parse_csaf("{\"document\":{\"csaf_version\":\"1.0\"}}", d), nullptr);
  EXPECT_NE(parse_csaf("{\"document\":{\"csaf_version\":\"2.0\",\"tracking\":{}}}", d), nullptr);
  EXPECT_NE(parse_csaf(std::string(200, '['), d), nullptr);
}

TEST(ExposureCsaf, MedfusionFirmware15) {
  CsafDoc d = load("icsma-17-250-02a.json");
  std::vector<Link> l = match_device(d, dev("Smiths Medical", "Medfusion 4000", "1.5"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].status, Status::kAffected);
  EXPECT_EQ(l[0].version_text, "1.5");
  EXPECT_EQ(l[0].vulns.size(), 8u);
  EXPECT_NE(l[0].evidence.find("version '1.5' in '1.5'"), std::string::npos) << l[0].evidence;
  EXPECT_FALSE(l[0].remediations.empty());
  // 1.6.1 is the fix: no link. A Medfusion 3500 is not listed.
  EXPECT_TRUE(match_device(d, dev("Smiths Medical", "Medfusion 4000", "1.6.1")).empty());
  EXPECT_TRUE(match_device(d, dev("Smiths Medical", "Medfusion 3500", "1.5")).empty());
  EXPECT_TRUE(match_device(d, dev("Baxter", "Medfusion 4000", "1.5")).empty());
  // The inventory may name the pump by its maker's buyer (data/device_signatures.csv does).
  EXPECT_EQ(match_device(d, dev("ICU Medical", "Medfusion 4000", "1.5")).size(), 1u);
  // Version unknown: possibly affected, never silence.
  l = match_device(d, dev("Smiths Medical", "Medfusion 4000", ""));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].status, Status::kPossiblyAffected);
}

TEST(ExposureCsaf, IntelliVueSeries) {
  CsafDoc d = load("icsma-18-156-01.json");
  // MX800 is in the MP Series entry's list (".../MX700/800)"), Rev B-M.
  std::vector<Link> l = match_device(d, dev("Philips", "IntelliVue MX800", "Rev M.00.03"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].product_id, "CSAFPID-0003");
  EXPECT_EQ(l[0].status, Status::kAffected);
  // MX450 is in the MX entry's range "MX400-550", Rev J-M.
  l = match_device(d, dev("Philips", "IntelliVue MX450", "K.20"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].product_id, "CSAFPID-0002");
  EXPECT_EQ(match_device(d, dev("Philips", "IntelliVue MP70", "G.01")).size(), 1u);
  // Not listed: an MX850 (outside MX400-550, not in the MP list); a revision after M.
  EXPECT_TRUE(match_device(d, dev("Philips", "IntelliVue MX850", "M.00.03")).empty());
  EXPECT_TRUE(match_device(d, dev("Philips", "IntelliVue MX800", "N.01")).empty());
  EXPECT_TRUE(match_device(d, dev("Philips", "IntelliVue MX450", "H.10")).empty());
}

// ICSMA-20-254-01 names "MX400-MX850" up to Rev N: the MX850 that
// ICSMA-18-156-01 does not list, and the MX800 that both list.
TEST(ExposureCsaf, IntelliVueLaterAdvisory) {
  CsafDoc d = load("icsma-20-254-01.json");
  std::vector<Link> l = match_device(d, dev("Philips", "IntelliVue MX850", "M.00.03"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].status, Status::kAffected);
  EXPECT_EQ(match_device(d, dev("Philips", "IntelliVue MX700", "N.01")).size(), 1u);
  EXPECT_TRUE(match_device(d, dev("Philips", "IntelliVue MX700", "P.01")).empty());
  EXPECT_TRUE(match_device(d, dev("Philips", "IntelliVue MX950", "M.00.03")).empty());
}

TEST(ExposureCsaf, WelchAllynCardiologyRange) {
  CsafDoc d = load("icsma-21-343-01.json");
  std::vector<Link> l = match_device(d, dev("Welch Allyn", "Q-Stress", "6.2.0"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].status, Status::kAffected);
  EXPECT_GT(l[0].max_cvss(), 8.0);
  EXPECT_TRUE(match_device(d, dev("Welch Allyn", "Q-Stress", "6.4.0")).empty());
  EXPECT_TRUE(match_device(d, dev("Hillrom", "R-Scribe", "4.9")).empty());
  EXPECT_EQ(match_device(d, dev("Hillrom", "R-Scribe", "7.0.0")).size(), 1u);
  // A product of the same vendor that the advisory does not list.
  EXPECT_TRUE(match_device(d, dev("Welch Allyn", "Connex Spot Monitor", "1.1")).empty());
}

// ICSMA-18-058-02 names "IntelliSpace Portal 7.0.x" and "8.0.x", each for
// all versions (vers:all/*): the version in the name still decides.
TEST(ExposureCsaf, VersionInProductName) {
  CsafDoc d = load("icsma-18-058-02.json");
  std::vector<Link> l = match_device(d, dev("Philips", "IntelliSpace Portal", "7.0.2"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NE(l[0].product.find("7.0.x"), std::string::npos) << l[0].product;
  EXPECT_EQ(l[0].status, Status::kAffected);
  EXPECT_TRUE(match_device(d, dev("Philips", "IntelliSpace Portal", "9.0.1")).empty());
  // Version unknown: both entries are possibilities.
  l = match_device(d, dev("Philips", "IntelliSpace Portal", ""));
  EXPECT_FALSE(l.empty());
  for (const Link& x : l) EXPECT_EQ(x.status, Status::kPossiblyAffected);
}

TEST(ExposureCsaf, ContecCms8000AllVersions) {
  CsafDoc d = load("icsma-22-244-01.json");
  std::vector<Link> l = match_device(d, dev("Contec Health", "CMS8000", "2.0.6"));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].status, Status::kAffected);
  EXPECT_EQ(l[0].vulns.size(), 5u);
  EXPECT_TRUE(match_device(d, dev("Contec Health", "CMS6000", "2.0.6")).empty());
}

TEST(ExposureProduct, VendorForms) {
  EXPECT_TRUE(vendor_matches("General Electric (GE)", "GE Healthcare"));
  EXPECT_TRUE(vendor_matches("Phillips", "Philips"));
  EXPECT_TRUE(vendor_matches("Hillrom and ELI, Baxter International Inc.", "Baxter"));
  EXPECT_TRUE(vendor_matches("Becton, Dickinson and Company (BD)", "CareFusion"));
  // An acquisition (data/vendor_successors.csv): both ways.
  EXPECT_TRUE(vendor_matches("Smiths Medical", "ICU Medical"));
  EXPECT_TRUE(vendor_matches("Baxter", "Welch Allyn"));
  EXPECT_FALSE(vendor_matches("Smiths Medical", "Baxter"));
  EXPECT_FALSE(vendor_matches("Medtronic", "Philips"));
  EXPECT_FALSE(vendor_matches("Medtronic", ""));
}

// Every row of data/vendor_successors.csv joins its two makers, both ways.
TEST(ExposureProduct, EverySuccessorRow) {
  std::ifstream f(std::string(MS_SOURCE_DIR) + "/data/vendor_successors.csv");
  std::string line;
  size_t rows = 0;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("successor,", 0) == 0) continue;
    std::string a = line.substr(0, line.find(',')), rest = line.substr(line.find(',') + 1);
    std::string b = rest.substr(0, rest.find(','));
    EXPECT_TRUE(vendor_matches(a, b)) << line;
    EXPECT_TRUE(vendor_matches(b, a)) << line;
    ++rows;
  }
  EXPECT_GE(rows, 5u);
}

TEST(ExposureProduct, ModelListsAndRanges) {
  std::vector<std::string> t =
      product_tokens("IntelliVue Patient Monitors MP Series (includingMP2/X2/MP30/MP50/MP70/NP90/MX700/800)");
  for (const char* m : {"mp2", "x2", "mp30", "np90", "mx700", "mx800"})
    EXPECT_NE(std::find(t.begin(), t.end(), m), t.end()) << m;
  t = product_tokens("IntelliVue Patient Monitors MX (MX400-550)");
  EXPECT_NE(std::find(t.begin(), t.end(), "mx400..mx550"), t.end());
  t = product_tokens("IntelliVue patient monitor MX400-MX850");
  EXPECT_NE(std::find(t.begin(), t.end(), "mx400..mx850"), t.end());
}

}  // namespace
}  // namespace ms::exposure
