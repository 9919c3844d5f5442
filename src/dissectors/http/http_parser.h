// HTTP/1.x message heads (RFC 9112) and the few things we read from bodies:
// pure, spans in, structs out. Header names are lowercased; at most
// kMaxHeaders headers and kMaxHead bytes of head are accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"

namespace ms::http {

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxHeaders = 128;

struct Header {
  std::string name;  // lowercase
  std::string value;
};

struct Head {
  bool request = true;
  std::string method, target, version;  // request line
  int status = 0;                       // status line
  std::vector<Header> headers;
  // More than one space or a tab between the request line's parts: servers
  // differ on how to read it (an evasion technique; RFC 9112 §3).
  bool odd_whitespace = false;
  const std::string* find(std::string_view lname) const;
};

// Length of the head including its blank line, or 0 if not complete yet.
size_t head_length(Bytes b);
const char* parse_head(Bytes head, bool request, Head& out);

// Body framing (RFC 9112 §6.3).
enum class Framing { kNone, kLength, kChunked, kUntilClose };
Framing body_framing(const Head& h, bool response_to_head, uint64_t& length);

// "Basic <base64(user:password)>" (RFC 7617). False if not Basic or malformed.
bool decode_basic(std::string_view authorization, std::string& user, std::string& password);
// The <title> of an HTML page, whitespace collapsed, at most 128 bytes.
std::string html_title(Bytes body);
// The boundary of a multipart content type, or "".
std::string multipart_boundary(std::string_view content_type);

enum class Start { kRequest, kResponse, kNo, kNeedMore };
Start plausible_start(Bytes b);

}  // namespace ms::http
