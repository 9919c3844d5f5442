// parse_json_member: the member of an event line's top-level object, parsed
// alone, must equal what a parse of the whole line gives.
#include <gtest/gtest.h>

#include <string>

#include "common/json_reader.h"

namespace {

std::string dump(const ms::JsonValue& v) {
  std::string s = std::to_string(v.type) + ":" + v.text + (v.boolean ? "T" : "");
  for (size_t i = 0; i < v.items.size(); ++i) s += "[" + (i < v.keys.size() ? v.keys[i] : "") + "=" + dump(v.items[i]) + "]";
  return s;
}

}  // namespace

TEST(JsonMember, SameAsParsingTheWholeLine) {
  const std::string lines[] = {
      R"({"timestamp":"t","src_ip":"10.0.0.1","event_type":"dns","dns":{"type":"response","answers":[{"rrname":"a","rdata":"10.0.0.2"}]}})",
      // A string holding the key's text (escaped quotes) comes first.
      R"({"note":"x,\"hl7\":{\"fake\":1}","event_type":"hl7","hl7":{"phi":true,"hl7":"inner"},"after":1})",
      R"({"event_type":"arp","arp":{"op":"reply","sender_mac":"00:11:22:33:44:55"}})",
  };
  const char* keys[] = {"dns", "hl7", "arp"};
  for (size_t i = 0; i < 3; ++i) {
    ms::JsonValue root, member;
    ASSERT_EQ(ms::parse_json(lines[i], root), nullptr) << i;
    ASSERT_EQ(ms::parse_json_member(lines[i], keys[i], member), nullptr) << i;
    ASSERT_NE(root.get(keys[i]), nullptr);
    EXPECT_EQ(dump(member), dump(*root.get(keys[i]))) << i;
  }
}

TEST(JsonMember, FirstMemberFallbackAndErrors) {
  ms::JsonValue v;
  // Not after a comma (the first member): found by the fallback parse.
  ASSERT_EQ(ms::parse_json_member(R"({"dns":{"a":1},"x":2})", "dns", v), nullptr);
  EXPECT_EQ(v.type, ms::JsonValue::kObject);
  EXPECT_STREQ(ms::parse_json_member(R"({"a":1})", "dns", v), "json.no_member");
  // Every cut of a line is an error or a value, never a read past the end.
  const std::string line = R"({"event_type":"dns","dns":{"answers":[{"rrname":"a\u00e9"}],"n":-1.5e3}})";
  for (size_t n = 0; n < line.size(); ++n) {
    ms::JsonValue cut;
    ms::parse_json_member(std::string_view(line).substr(0, n), "dns", cut);
  }
}
