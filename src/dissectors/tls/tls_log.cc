// The `tls` event's JSON (tls.schema.json): the only code that knows its keys.
// Downstream stages read TlsEvent itself.
#include "dissectors/tls/tls_events.h"

namespace ms::tls {

namespace {

void write_strings(JsonWriter& w, JsonKey key, const std::vector<std::string>& v) {
  w.key(key).begin_array();
  for (const std::string& s : v) w.value(s);
  w.end_array();
}

void write_client(JsonWriter& w, const TlsClient& c) {
  w.key("client").begin_object();
  w.kv("version", c.version);
  if (c.supported_versions) write_strings(w, "supported_versions", *c.supported_versions);
  if (!c.alpn.empty()) write_strings(w, "alpn", c.alpn);
  w.kv("cipher_count", c.cipher_count);
  if (c.weak_ciphers_offered) w.kv("weak_ciphers_offered", c.weak_ciphers_offered);
  w.key("ja3").begin_object().kv("hash", c.ja3_hash).kv("string", c.ja3_string).end_object();
  if (c.ja4) w.kv("ja4", *c.ja4);
  w.end_object();
}

void write_server(JsonWriter& w, const TlsServer& s) {
  w.key("server").begin_object();
  w.kv("version", s.version);
  w.kv("cipher", static_cast<unsigned>(s.cipher));
  if (!s.cipher_name.empty()) w.kv("cipher_name", s.cipher_name);
  if (!s.alpn.empty()) w.kv("alpn", s.alpn);
  w.key("extensions").begin_array();
  for (uint16_t e : s.extensions) w.value(static_cast<unsigned>(e));
  w.end_array();
  w.key("ja3s").begin_object().kv("hash", s.ja3s_hash).kv("string", s.ja3s_string).end_object();
  w.end_object();
}

void write_certificate(JsonWriter& w, const Certificate& c) {
  w.key("certificate").begin_object();
  w.kv("subject", c.subject);
  w.kv("issuer", c.issuer);
  w.kv("serial", c.serial);
  w.kv("not_before", c.not_before);
  w.kv("not_after", c.not_after);
  w.kv("self_signed", c.self_signed);
  if (!c.key_type.empty()) w.kv("key_type", c.key_type);
  w.kv("key_bits", c.key_bits);
  w.kv("signature_algorithm", c.sig_alg);
  w.kv("sha256", c.sha256);
  if (!c.san_dns.empty()) write_strings(w, "san_dns", c.san_dns);
  w.end_object();
}

}  // namespace

void TlsEvent::write_json(JsonWriter& w) const {
  w.key("tls").begin_object();
  if (!version.empty()) w.kv("version", version);
  if (!sni.empty()) w.kv("sni", sni);
  if (client) write_client(w, *client);
  if (server) write_server(w, *server);
  if (certificate) {
    write_certificate(w, *certificate);
    w.kv("chain_length", chain_length);
  }
  if (alert) {
    w.key("alert").begin_object();
    w.kv("level", alert->level);
    w.kv("description", alert->description);
    w.end_object();
  }
  if (!weak.empty()) write_strings(w, "weak", weak);
  w.end_object();
}

}  // namespace ms::tls
