// The vendor default list (data/default_credentials.csv) holds the service
// accounts CISA's medical advisories publish (scripts/gen-default-creds.py
// reads the ICSMA CSAF files; issue 15): a login with one is a default, not
// merely a weak password.
#include <gtest/gtest.h>

#include "dissectors/credential.h"

namespace {

using ms::match_default;

TEST(DefaultCredentials, IcsmaServiceAccountsAreMedicalDefaults) {
  // ICSMA-18-037-02, CVE-2013-7404 / CVE-2014-7232: GE's InSite account.
  auto m = match_default("insite", "2getin");
  ASSERT_TRUE(m.matched);
  EXPECT_TRUE(m.medical);
  ASSERT_FALSE(m.vendors.empty());
  EXPECT_NE(m.vendors[0].find("GE Healthcare"), std::string::npos) << m.vendors[0];
  // CVE-2012-6693: Centricity PACS 4.0's read-only account.
  EXPECT_TRUE(match_default("nasro", "nasro").medical);
  // A password alone never matches a row that names a user.
  EXPECT_FALSE(match_default("", "2getin").matched);
  // Another password for the same account is no default.
  EXPECT_FALSE(match_default("insite", "Insite-2026!x").matched);
}

}  // namespace
