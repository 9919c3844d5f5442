// find_text: the memmem-based search must answer as std::string_view::find
// does, at every start position, including past the end.
#include <gtest/gtest.h>

#include <string>

#include "common/find.h"

namespace {

TEST(FindText, AgreesWithStringViewFindAtEveryStart) {
  const std::string hay = "{\"a\":\"MSH|x\",\"phi\":true,\"b\":\"\\\"MSH\"}\rMSH|^~\\&|MSH";
  for (const char* needle : {"MSH", "\"phi\":true", "\"", "}", "MSH|^", "absent", "H", "\rMSH"}) {
    for (size_t from = 0; from <= hay.size() + 2; ++from) {
      EXPECT_EQ(ms::find_text(hay, needle, from), std::string_view(hay).find(needle, from)) << needle << " " << from;
    }
  }
  EXPECT_EQ(ms::find_text(hay, "", 3), 3u);
  EXPECT_EQ(ms::find_text("", "x"), std::string_view::npos);
  EXPECT_TRUE(ms::contains_text(hay, "\"phi\":true"));
  EXPECT_FALSE(ms::contains_text(hay, "\"phi\":false"));
}

}  // namespace
