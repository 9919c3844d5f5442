// TLS handshake parsing (RFC 5246, RFC 8446; SSLv2 CLIENT-HELLO of RFC 6101
// appendix E), fingerprints (JA3/JA3S as Salesforce defined them, JA4 as
// FoxIO specified it) and certificate summaries (through OpenSSL's X.509
// parser). Pure functions: spans in, structs out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace ms::tls {

struct ClientHello {
  uint16_t version = 0;            // legacy_version (0x0002 for SSLv2)
  std::vector<uint16_t> ciphers, extensions, groups, sig_algs, versions;
  std::vector<uint8_t> point_formats;
  std::string sni;
  std::vector<std::string> alpn;
  bool sslv2 = false;
};

struct ServerHello {
  uint16_t version = 0;            // legacy_version
  uint16_t selected_version = 0;   // supported_versions extension (TLS 1.3), or 0
  uint16_t cipher = 0;
  std::vector<uint16_t> extensions;
  std::string alpn;
  bool session_id = false;
};

struct Certificate {
  std::string subject, issuer, serial, not_before, not_after, key_type, sig_alg, sha256;
  int key_bits = 0;
  int64_t not_before_s = 0, not_after_s = 0;  // seconds since the epoch
  bool self_signed = false, ca = false;
  std::vector<std::string> san_dns;
};

bool parse_client_hello(Bytes body, ClientHello& out);  // handshake body (after the 4-byte header)
bool parse_sslv2_client_hello(Bytes record, ClientHello& out);  // whole SSLv2 record
bool parse_server_hello(Bytes body, ServerHello& out);
// Certificate message body: the DER certificates, at most `max`.
std::vector<Bytes> certificate_list(Bytes body, size_t max);
bool parse_certificate(Bytes der, Certificate& out);

bool grease(uint16_t v);
std::string version_name(uint16_t v);   // "TLS 1.2", "SSLv3", "0x7f17"
std::string ja3_string(const ClientHello& c);
std::string ja3s_string(const ServerHello& s);
std::string ja4(const ClientHello& c, char transport = 't');
// IANA name of a cipher suite as OpenSSL knows it ("TLS_AES_128_GCM_SHA256"), or "".
std::string cipher_name(uint16_t id);
// NULL, export, anonymous, RC4, DES and 3DES suites.
bool weak_cipher(uint16_t id);

}  // namespace ms::tls
