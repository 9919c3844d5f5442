// What a `tls` event says (tls.schema.json; its JSON writer is tls_log.cc):
// the handshake seen in clear, one per connection: the ClientHello and its
// fingerprints (JA3, JA4), the ServerHello (JA3S), the server certificate, a
// fatal alert, and the reasons the session is weak.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dissectors/tls/tls.h"
#include "events/event.h"

namespace ms::tls {

struct TlsClient {
  std::string version;
  std::optional<std::vector<std::string>> supported_versions;  // GREASE left out
  std::vector<std::string> alpn;  // empty: absent
  uint64_t cipher_count = 0;
  uint64_t weak_ciphers_offered = 0;  // 0: absent
  std::string ja3_hash, ja3_string;   // the string cut at 4096 bytes
  std::optional<std::string> ja4;     // not for SSLv2
};

struct TlsServer {
  std::string version;
  uint16_t cipher = 0;
  std::string cipher_name, alpn;  // empty: absent
  std::vector<uint16_t> extensions;
  std::string ja3s_hash, ja3s_string;
};

struct TlsAlert {
  std::string level, description;  // "fatal"/"warning"; the name, or the number as text
};

struct TlsEvent : TypedEvent {
  std::string version;  // negotiated; empty: absent
  std::string sni;      // empty: absent
  std::optional<TlsClient> client;
  std::optional<TlsServer> server;
  std::optional<Certificate> certificate;  // the leaf (chain[0])
  uint64_t chain_length = 0;               // written with the certificate
  std::optional<TlsAlert> alert;
  std::vector<std::string> weak;  // "cipher", "version", "key_size", ...; empty: absent
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::tls
