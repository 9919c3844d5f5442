// json_read_back() and json_verbatim() (common/json_read_back.h) agree with
// what the writer writes and the reader reads back.
#include <gtest/gtest.h>

#include "common/json_read_back.h"
#include "common/json_reader.h"
#include "common/json_writer.h"

namespace {

std::string round_trip(std::string_view s) {
  std::string line;
  ms::JsonWriter w(line);
  w.begin_object().kv("v", s).end_object();
  ms::JsonValue v;
  EXPECT_EQ(ms::parse_json(line, v), nullptr) << line;
  return std::string(ms::json_str(&v, "v"));
}

TEST(JsonReadBack, MatchesWriterThenReader) {
  const std::string cases[] = {"", "CT01", "H\xc3\xb4pital", "H\xf4pital", std::string("a\0b", 3), "tab\there",
                               "q\"uote\\", "\xe2\x82", "\xed\xa0\x80", "\xf0\x9f\x98\x80 ok", "\x80\xff"};
  for (const std::string& s : cases) {
    std::string buf;
    EXPECT_EQ(std::string(ms::json_read_back(s, buf)), round_trip(s)) << s;
    EXPECT_EQ(ms::json_read_back(s), round_trip(s)) << s;
  }
  std::string buf;
  std::string_view plain = "CT01";
  EXPECT_EQ(ms::json_read_back(plain, buf).data(), plain.data());  // unchanged: no copy
}

TEST(JsonReadBack, VerbatimWhenNothingIsEscaped) {
  EXPECT_TRUE(ms::json_verbatim("ADT"));
  EXPECT_TRUE(ms::json_verbatim("H\xc3\xb4pital"));
  EXPECT_FALSE(ms::json_verbatim("H\xf4pital"));
  EXPECT_FALSE(ms::json_verbatim("a\"b"));
  EXPECT_FALSE(ms::json_verbatim("a\\b"));
  EXPECT_FALSE(ms::json_verbatim("a\nb"));
}

}  // namespace
