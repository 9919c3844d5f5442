// HTTP/1.x heads and the body helpers (RFC 9112, RFC 7617).
#include <gtest/gtest.h>

#include <string>

#include "dissectors/credential.h"
#include "dissectors/http/http_parser.h"

namespace {
ms::Bytes bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST(HttpParser, RequestAndResponseHeads) {
  std::string rq = "POST /studies HTTP/1.1\r\nHost: pacs\r\nX-Long: a\r\n  folded\r\nTransfer-Encoding: chunked\r\n\r\nBODY";
  EXPECT_EQ(ms::http::head_length(bytes(rq)), rq.size() - 4);
  ms::http::Head h;
  ASSERT_EQ(ms::http::parse_head(bytes(rq).first(rq.size() - 4), true, h), nullptr);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.target, "/studies");
  EXPECT_EQ(*h.find("host"), "pacs");
  EXPECT_EQ(*h.find("x-long"), "a folded");
  uint64_t len;
  EXPECT_EQ(ms::http::body_framing(h, false, len), ms::http::Framing::kChunked);

  ms::http::Head r;
  std::string rs = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
  ASSERT_EQ(ms::http::parse_head(bytes(rs), false, r), nullptr);
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(ms::http::body_framing(r, false, len), ms::http::Framing::kNone);  // 304 has no body
  ms::http::Head odd;
  ASSERT_EQ(ms::http::parse_head(bytes("GET    /x HTTP/1.1\r\n\r\n"), true, odd), nullptr);
  EXPECT_TRUE(odd.odd_whitespace);
  EXPECT_EQ(odd.target, "/x");
  ms::http::Head bad;
  EXPECT_STREQ(ms::http::parse_head(bytes("HTTP/1.1 2x0 OK\r\n\r\n"), false, bad), "http.bad_status_code");
}

TEST(HttpParser, BasicCredentialsAndStrength) {
  std::string user, pw;
  ASSERT_TRUE(ms::http::decode_basic("Basic YWRtaW46UEFTUw==", user, pw));  // admin:PASS
  EXPECT_EQ(user, "admin");
  EXPECT_STREQ(ms::password_strength(pw), "weak");
  EXPECT_STREQ(ms::password_strength("Icu4!Mon-7781"), "strong");
  EXPECT_STREQ(ms::password_strength(""), "empty");
  EXPECT_FALSE(ms::http::decode_basic("Bearer abc", user, pw));
  EXPECT_FALSE(ms::http::decode_basic("Basic !!!", user, pw));
}

TEST(HttpParser, TitleBoundaryAndStart) {
  EXPECT_EQ(ms::http::html_title(bytes("<html><TITLE>\n IntelliVue\t MX800 </title>")), "IntelliVue MX800");
  EXPECT_EQ(ms::http::multipart_boundary("multipart/related; type=\"application/dicom\"; boundary=\"XyZ\""), "XyZ");
  EXPECT_EQ(ms::http::multipart_boundary("application/json"), "");
  using ms::http::Start;
  EXPECT_EQ(ms::http::plausible_start(bytes("GET / HTTP/1.1")), Start::kRequest);
  EXPECT_EQ(ms::http::plausible_start(bytes("HTTP/1.1 200")), Start::kResponse);
  EXPECT_EQ(ms::http::plausible_start(bytes("GE")), Start::kNeedMore);
  EXPECT_EQ(ms::http::plausible_start(bytes("GETS / HTTP/1.1")), Start::kNo);
}
