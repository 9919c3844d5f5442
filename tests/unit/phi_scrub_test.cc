// Identifier-like runs in written free text become tokens; UIDs, addresses,
// versions and ordinary words stay.
#include "dissectors/phi_scrub.h"

#include <gtest/gtest.h>

namespace {

// The context the scrubber needs is only the token function.
class TokenContext : public ms::AppContext {
 public:
  ms::Envelope envelope() const override { return {}; }
  ms::TimeNs now() const override { return 0; }
  void emit(ms::Event&&) override {}
  void anomaly(const char*) override {}
  std::string phi(std::string_view kind, std::string_view v) const override {
    return "phi:" + std::string(kind) + "(" + std::string(v) + ")";
  }
};

TEST(PhiScrub, IdentifierShapes) {
  EXPECT_TRUE(ms::identifier_like("PID778812"));
  EXPECT_TRUE(ms::identifier_like("19580314"));
  EXPECT_TRUE(ms::identifier_like("12345"));
  EXPECT_TRUE(ms::identifier_like("MRN0012345AB"));
  EXPECT_FALSE(ms::identifier_like("1234"));
  EXPECT_FALSE(ms::identifier_like("ABCDE12345"));  // five letters first: a word, not an MRN
  EXPECT_FALSE(ms::identifier_like("12345ABC"));
  EXPECT_FALSE(ms::identifier_like("index"));
}

TEST(PhiScrub, PathsAndTitles) {
  TokenContext ctx;
  EXPECT_EQ(ms::scrub_identifiers("/reports/PID778812/19580314.pdf", ctx),
            "/reports/phi:id(PID778812)/phi:id(19580314).pdf");
  EXPECT_EQ(ms::scrub_identifiers("/wado/studies/1.2.840.10008.5.1.4.1.1.2/frames/1", ctx),
            "/wado/studies/1.2.840.10008.5.1.4.1.1.2/frames/1");
  EXPECT_EQ(ms::scrub_identifiers("\\\\10.60.0.50\\results\\ct-2024.dcm", ctx), "\\\\10.60.0.50\\results\\ct-2024.dcm");
  EXPECT_EQ(ms::scrub_identifiers("Chart of 00123456 - Ward 7", ctx), "Chart of phi:id(00123456) - Ward 7");
  EXPECT_EQ(ms::scrub_identifiers("OpenSSH_9.2p1 build 10586", ctx), "OpenSSH_9.2p1 build phi:id(10586)");
  EXPECT_EQ(ms::scrub_identifiers("", ctx), "");
}

}  // namespace
