// HTTP/1.x parsing: RFC 9112 §2-§7 (message format, framing), RFC 7617
// (Basic authentication).
#include "dissectors/http/http_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "dissectors/text.h"

namespace ms::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
                                "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT",
                                "SEARCH", "SUBSCRIBE", "NOTIFY", "M-SEARCH"};

}  // namespace

const std::string* Head::find(std::string_view lname) const {
  for (const auto& h : headers) {
    if (h.name == lname) return &h.value;
  }
  return nullptr;
}

size_t head_length(Bytes b) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), std::min(b.size(), kMaxHead + 4));
  size_t p = s.find("\r\n\r\n");
  size_t q = s.find("\n\n");
  if (p == std::string_view::npos && q == std::string_view::npos) return 0;
  if (q != std::string_view::npos && (p == std::string_view::npos || q < p)) return q + 2;
  return p + 4;
}

const char* parse_head(Bytes head, bool request, Head& h) {
  h.request = request;
  std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  size_t eol = s.find('\n');
  if (eol == std::string_view::npos) return "http.no_start_line";
  std::string_view line = trim(s.substr(0, eol));
  if (request) {
    size_t a = line.find(' '), b = line.rfind(' ');
    if (a == std::string_view::npos || b == a) return "http.bad_request_line";
    h.odd_whitespace = line.find('\t') != std::string_view::npos || line.substr(a + 1, 1) == " " ||
                       line.substr(b - 1, 1) == " ";
    h.method = std::string(line.substr(0, a));
    h.target = std::string(trim(line.substr(a + 1, b - a - 1)));
    h.version = std::string(line.substr(b + 1));
    if (h.method.empty() || !std::all_of(h.method.begin(), h.method.end(), token_char)) return "http.bad_method";
    if (h.version.rfind("HTTP/", 0) != 0) return "http.bad_version";
  } else {
    if (line.rfind("HTTP/", 0) != 0) return "http.bad_status_line";
    size_t a = line.find(' ');
    if (a == std::string_view::npos || a + 4 > line.size()) return "http.bad_status_line";
    h.version = std::string(line.substr(0, a));
    std::string_view code = line.substr(a + 1, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return "http.bad_status_code";
    }
    h.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  }
  size_t pos = eol + 1;
  while (pos < s.size()) {
    size_t e = s.find('\n', pos);
    if (e == std::string_view::npos) e = s.size();
    std::string_view l = s.substr(pos, e - pos);
    pos = e + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) break;
    if (l.front() == ' ' || l.front() == '\t') {  // obsolete line folding (RFC 9112 §5.2)
      if (!h.headers.empty()) h.headers.back().value += " " + std::string(trim(l));
      continue;
    }
    size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0) return "http.bad_header";
    if (h.headers.size() >= kMaxHeaders) return "http.too_many_headers";
    h.headers.push_back({text::lower(trim(l.substr(0, colon))), std::string(trim(l.substr(colon + 1)))});
  }
  return nullptr;
}

Framing body_framing(const Head& h, bool response_to_head, uint64_t& length) {
  length = 0;
  if (!h.request && (response_to_head || h.status / 100 == 1 || h.status == 204 || h.status == 304)) return Framing::kNone;
  if (const std::string* te = h.find("transfer-encoding"); te && text::lower(*te).find("chunked") != std::string::npos) {
    return Framing::kChunked;
  }
  if (const std::string* cl = h.find("content-length")) {
    uint64_t n = 0;
    for (char c : *cl) {
      if (!std::isdigit(static_cast<unsigned char>(c))) break;
      n = n * 10 + static_cast<uint64_t>(c - '0');
      if (n > (1ULL << 50)) break;
    }
    length = n;
    return n ? Framing::kLength : Framing::kNone;
  }
  return h.request ? Framing::kNone : Framing::kUntilClose;
}

bool decode_basic(std::string_view auth, std::string& user, std::string& password) {
  auth = trim(auth);
  if (auth.size() < 6 || text::lower(auth.substr(0, 6)) != "basic ") return false;
  std::string_view b64 = trim(auth.substr(6));
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else return false;
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
    if (out.size() > 1024) return false;
  }
  size_t colon = out.find(':');
  if (colon == std::string::npos) return false;
  user = out.substr(0, colon);
  password = out.substr(colon + 1);
  return true;
}

std::string html_title(Bytes body) {
  std::string_view s(reinterpret_cast<const char*>(body.data()), body.size());
  std::string low = text::lower(s.substr(0, std::min<size_t>(s.size(), 16384)));
  size_t a = low.find("<title");
  if (a == std::string::npos) return "";
  a = low.find('>', a);
  if (a == std::string::npos) return "";
  size_t b = low.find("</title", a);
  if (b == std::string::npos) return "";
  std::string t;
  bool space = false;
  for (char c : s.substr(a + 1, b - a - 1)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !t.empty();
      continue;
    }
    if (space) t += ' ';
    space = false;
    t += c;
    if (t.size() >= 128) break;
  }
  return t;
}

std::string multipart_boundary(std::string_view ct) {
  std::string low = text::lower(ct);
  if (low.rfind("multipart/", 0) != 0) return "";
  size_t p = low.find("boundary=");
  if (p == std::string::npos) return "";
  std::string_view b = ct.substr(p + 9);
  if (!b.empty() && b.front() == '"') {
    b.remove_prefix(1);
    b = b.substr(0, b.find('"'));
  } else {
    b = b.substr(0, b.find(';'));
  }
  return std::string(trim(b)).substr(0, 200);
}

Start plausible_start(Bytes b) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), std::min<size_t>(b.size(), 16));
  if (s.empty()) return Start::kNeedMore;
  static constexpr std::string_view kHttp = "HTTP/1.";
  if (s.size() >= kHttp.size() ? s.substr(0, kHttp.size()) == kHttp : kHttp.substr(0, s.size()) == s) {
    return s.size() >= kHttp.size() ? Start::kResponse : Start::kNeedMore;
  }
  bool prefix = false;
  for (const char* m : kMethods) {
    std::string_view mv(m);
    std::string want = std::string(mv) + " ";
    if (s.size() >= want.size() && s.substr(0, want.size()) == want) return Start::kRequest;
    if (s.size() < want.size() && std::string_view(want).substr(0, s.size()) == s) prefix = true;
  }
  return prefix ? Start::kNeedMore : Start::kNo;
}

}  // namespace ms::http
