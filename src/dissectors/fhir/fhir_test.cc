// The bounded JSON reader and FHIR interaction/identity analysis.
#include <gtest/gtest.h>

#include <string>

#include "common/json_reader.h"
#include "dissectors/fhir/fhir.h"

namespace {
ms::Bytes bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST(JsonReader, ValuesEscapesAndLimits) {
  ms::JsonValue v;
  ASSERT_EQ(ms::parse_json(R"({"a":[1,true,null,"x\u00e9\ud83d\ude00"],"b":{"c":-2.5e3}})", v), nullptr);
  EXPECT_EQ(v.get("a")->items[3].str(), "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v.get("b")->get("c")->text, "-2.5e3");
  EXPECT_EQ(v.get("missing"), nullptr);
  ms::JsonValue t;
  EXPECT_STREQ(ms::parse_json(R"({"a":[1,2)", t), "json.truncated");
  ms::JsonValue deep;
  EXPECT_STREQ(ms::parse_json(std::string(100, '[') + std::string(100, ']'), deep), "json.too_deep");
  ms::JsonValue trail;
  EXPECT_STREQ(ms::parse_json("{} x", trail), "json.trailing_data");
}

TEST(Fhir, InteractionsAndPatients) {
  std::string patient = R"({"resourceType":"Patient","id":"p1","identifier":[{"value":"MRN7"}],)"
                        R"("name":[{"family":"DOE","given":["JANE"]}],"birthDate":"1958-03-14"})";
  ms::fhir::Transaction t;
  t.method = "GET";
  t.target = "/fhir/Patient/p1";
  t.response_type = "application/fhir+json";
  t.response_body = bytes(patient);
  ms::fhir::Summary s;
  ASSERT_TRUE(ms::fhir::analyze(t, s));
  EXPECT_EQ(s.interaction, "read");
  EXPECT_EQ(s.resource_type, "Patient");
  EXPECT_EQ(s.patient_names, std::vector<std::string>{"DOE^JANE"});
  EXPECT_EQ(s.birth_dates, std::vector<std::string>{"1958-03-14"});
  EXPECT_EQ(s.patient_ids, (std::vector<std::string>{"p1", "MRN7"}));

  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)" + patient + "}]}";
  ms::fhir::Transaction tx;
  tx.method = "POST";
  tx.target = "/fhir";
  tx.request_type = "application/fhir+json";
  tx.request_body = bytes(bundle);
  ms::fhir::Summary st;
  ASSERT_TRUE(ms::fhir::analyze(tx, st));
  EXPECT_EQ(st.interaction, "transaction");
  EXPECT_EQ(st.bundle_entries, 1u);
  EXPECT_EQ(st.entry_types.at("Patient"), 1u);

  ms::fhir::Transaction plain;
  plain.method = "GET";
  plain.target = "/api/status";
  plain.response_type = "application/json";
  std::string body = R"({"status":"ok"})";
  plain.response_body = bytes(body);
  ms::fhir::Summary none;
  EXPECT_FALSE(ms::fhir::analyze(plain, none));
}
