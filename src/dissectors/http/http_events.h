// What an `http` event says (http.schema.json; its JSON writer is
// http_log.cc): one request and its response. The URL is the path only, with
// person ids replaced by their tokens; of the query only the keys are kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"

namespace ms::http {

// The Authorization header: its scheme, and for Basic (RFC 7617) the user
// and the password's verdict (never the password).
struct HttpAuthorization {
  std::string scheme;  // at most 32 bytes
  bool basic = false;  // the keys below are written only for Basic
  std::string username;  // at most 128 bytes
  bool password_present = false;
  std::string_view password_strength;  // "empty", "weak", "strong" (static)
};

struct HttpEvent : TypedEvent {
  // The request (absent when only a response was seen). Header values are
  // cut at 256 bytes; empty strings are absent keys.
  bool request = false;
  std::string hostname, url;
  std::optional<std::vector<std::string>> query_keys;  // when the target had a '?'
  std::string http_method, protocol, http_user_agent, http_request_content_type;
  uint64_t request_body_bytes = 0;
  std::optional<HttpAuthorization> authorization;
  // The response (absent when none came).
  bool response = false;
  int status = 0;
  std::string server, http_content_type;
  uint64_t length = 0;
  bool response_complete = true;  // false: the flow ended inside the body
  std::optional<std::string> title;  // scrubbed of identifiers
  std::optional<std::string> www_authenticate_realm, www_authenticate_scheme;
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::http
