// The `http` event's JSON (http.schema.json): the only code that knows its
// keys. Downstream stages read HttpEvent itself.
#include "dissectors/http/http_events.h"

namespace ms::http {

namespace {

void opt(JsonWriter& w, JsonKey k, const std::string& v) {
  if (!v.empty()) w.kv(k, v);
}

void write_authorization(JsonWriter& w, const HttpAuthorization& a) {
  w.key("authorization").begin_object();
  w.kv("scheme", a.scheme);
  if (a.basic) {
    w.kv("username", a.username);
    w.kv("password_present", a.password_present);
    w.kv("password_strength", a.password_strength);
  }
  w.end_object();
}

}  // namespace

void HttpEvent::write_json(JsonWriter& w) const {
  w.key("http").begin_object();
  if (request) {
    opt(w, "hostname", hostname);
    w.kv("url", url);
    if (query_keys) {
      w.key("query_keys").begin_array();
      for (const std::string& k : *query_keys) w.value(k);
      w.end_array();
    }
    w.kv("http_method", http_method);
    w.kv("protocol", protocol);
    opt(w, "http_user_agent", http_user_agent);
    opt(w, "http_request_content_type", http_request_content_type);
    w.kv("request_body_bytes", request_body_bytes);
    if (authorization) write_authorization(w, *authorization);
  }
  if (response) {
    w.kv("status", status);
    opt(w, "server", server);
    opt(w, "http_content_type", http_content_type);
    w.kv("length", length);
    if (!response_complete) w.kv("response_complete", false);
    if (title) w.kv("title", *title);
    if (www_authenticate_realm) w.kv("www_authenticate_realm", *www_authenticate_realm);
    if (www_authenticate_scheme) w.kv("www_authenticate_scheme", *www_authenticate_scheme);
  }
  w.end_object();
}

}  // namespace ms::http
