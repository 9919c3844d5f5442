// JSON writer: escaping keeps every line valid JSON whatever the bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "common/json_reader.h"
#include "common/json_writer.h"
#include "common/types.h"

TEST(JsonWriter, ObjectsArraysAndEscapes) {
  std::string out;
  ms::JsonWriter w(out);
  w.begin_object();
  w.kv("a", "x\"y\\z\n");
  w.key("b").begin_array().value(1).value(true).null().end_array();
  w.kv("c", static_cast<uint64_t>(18446744073709551615ULL));
  w.end_object();
  EXPECT_EQ(out, R"({"a":"x\"y\\z\n","b":[1,true,null],"c":18446744073709551615})");
}

TEST(JsonWriter, InvalidUtf8AndControlBytes) {
  std::string out;
  ms::JsonWriter w(out);
  w.value(std::string("ok\x01\xff\xc3\xa9\xed\xa0\x80", 9));
  // \x01 and \xff escaped; é (valid) kept; an encoded surrogate is invalid.
  EXPECT_EQ(out, "\"ok\\u0001\\u00ff\xc3\xa9\\u00ed\\u00a0\\u0080\"");
}

// JsonText is what a reader gets back from the writer's output: the typed
// events' readers rely on it to keep what they kept when they parsed JSON.
TEST(JsonWriter, JsonTextIsWhatAReaderGetsBack) {
  for (std::string s : {std::string("plain"), std::string("caf\xe9 \xc3\xa9", 8), std::string("\x01\xff\xed\xa0\x80z", 6),
                        std::string("\xf0\x9f\x98\x80\xf0\x9f", 6), std::string()}) {
    std::string out;
    ms::JsonWriter(out).value(s);
    ms::JsonValue v;
    ASSERT_EQ(ms::parse_json(out, v), nullptr) << out;
    EXPECT_EQ(std::string_view(ms::JsonText(s)), v.str()) << out;
  }
  std::string valid = "d\xc3\xa9j\xc3\xa0";
  EXPECT_EQ(std::string_view(ms::JsonText(valid)).data(), valid.data());  // valid UTF-8: no copy
}

TEST(JsonWriter, IntegersAtTheirLimits) {
  std::string out;
  ms::JsonWriter w(out);
  w.begin_array().value(static_cast<int64_t>(INT64_MIN)).value(static_cast<int64_t>(-1)).value(0)
      .value(static_cast<int64_t>(INT64_MAX)).value(static_cast<uint64_t>(UINT64_MAX)).end_array();
  EXPECT_EQ(out, "[-9223372036854775808,-1,0,9223372036854775807,18446744073709551615]");
}

TEST(JsonWriter, DelAndEveryPrintableByteAsIs) {
  std::string in;
  for (int c = 0x20; c < 0x80; ++c) if (c != '"' && c != '\\') in += static_cast<char>(c);
  std::string out;
  ms::JsonWriter(out).value(in);
  EXPECT_EQ(out, "\"" + in + "\"");
}

TEST(FormatTime, MicroAndNanoseconds) {
  EXPECT_EQ(ms::format_time(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(ms::format_time(1700000000123456000LL), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(ms::format_time(1700000000123456789LL), "2023-11-14T22:13:20.123456789Z");
}

TEST(JsonWriter, DoublesAsPrintfPercentSixG) {
  // Latencies and round-trip times: the text must stay what %.6g wrote.
  auto expect_printf = [](double v) {
    std::string out;
    ms::JsonWriter w(out);
    w.value(v);
    char want[64];
    snprintf(want, sizeof want, "%.6g", v);
    EXPECT_EQ(out, want) << v;
  };
  for (double v : {0.0, -0.0, 1.0, 0.5, 1e-7, 1.5e-5, 0.000123456789, 3.14159265, 12.5, 999999.4, 999999.5, 1234567.0,
                   1e21, -42.125, 2.5e-300, 1.7976931348623157e308, 0.1 + 0.2}) {
    expect_printf(v);
  }
  for (uint64_t ns = 1; ns < 20000000000ull; ns = ns * 7 + 3) expect_printf(static_cast<double>(ns) / 1e6);
  std::string out;
  ms::JsonWriter w(out);
  w.begin_array().value(std::nan("")).value(HUGE_VAL).end_array();
  EXPECT_EQ(out, "[null,null]");
}

// The writer tests strings eight bytes at a time: every length, with each
// kind of byte that needs escaping at every position, must give what a byte
// at a time gives (the reader gets the text back), in keys as in values.
TEST(JsonWriter, WordScanAgreesWithBytes) {
  for (size_t len = 0; len <= 40; ++len) {
    for (size_t at = 0; at <= len; ++at) {
      for (char bad : {'"', '\\', '\n', '\x01', '\x1f', '\x7f', '\x80', '\xc3', ' '}) {
        std::string s(len, 'k');
        if (at < len) s[at] = bad;
        std::string out;
        ms::JsonWriter w(out);
        w.begin_object().kv(s, s).end_object();
        ms::JsonValue v;
        ASSERT_EQ(ms::parse_json(out, v), nullptr) << out;
        ASSERT_EQ(v.keys.size(), 1u) << out;
        EXPECT_EQ(v.keys[0], std::string_view(ms::JsonText(s))) << out;
        EXPECT_EQ(v.items[0].str(), std::string_view(ms::JsonText(s))) << out;
        bool plain = at == len || bad == ' ' || bad == '\x7f';
        EXPECT_EQ(out == "{\"" + s + "\":\"" + s + "\"}", plain) << out;
      }
    }
  }
}
