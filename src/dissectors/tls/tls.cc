#include "dissectors/tls/tls.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

#include "dissectors/text.h"

namespace ms::tls {

namespace {

bool vec8(ByteReader& r, Bytes& out) {
  uint8_t n;
  return r.u8(n) && r.take(n, out);
}
bool vec16(ByteReader& r, Bytes& out) {
  uint16_t n;
  return r.u16be(n) && r.take(n, out);
}

void u16_list(Bytes b, std::vector<uint16_t>& out, size_t max = 512) {
  for (size_t i = 0; i + 1 < b.size() && out.size() < max; i += 2) out.push_back(be16(b.data() + i));
}

std::string join(const std::vector<uint16_t>& v, bool skip_grease) {
  std::string s;
  bool first = true;
  for (uint16_t x : v) {
    if (skip_grease && grease(x)) continue;
    if (!first) s += '-';
    s += std::to_string(x);
    first = false;
  }
  return s;
}

std::string sha256_12(const std::string& s) {
  return s.empty() ? "000000000000" : text::digest_hex(EVP_sha256(), s, 6);
}

std::string hex4(uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04x", v);
  return b;
}

std::string name_string(X509_NAME* n) {
  if (!n) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* p = nullptr;
  long len = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<size_t>(std::min<long>(len, 1024)));
}

std::string time_string(const ASN1_TIME* t, int64_t& secs) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  secs = static_cast<int64_t>(timegm(&tm));
  char b[64];
  std::snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return b;
}

}  // namespace

bool grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

bool parse_client_hello(Bytes body, ClientHello& c) {
  ByteReader r(body);
  Bytes random, sid, suites, comp, exts;
  if (!r.u16be(c.version) || !r.take(32, random) || !vec8(r, sid) || !vec16(r, suites) || !vec8(r, comp)) return false;
  u16_list(suites, c.ciphers);
  if (r.remaining() == 0) return true;  // no extensions
  if (!vec16(r, exts)) return false;
  ByteReader e(exts);
  while (e.remaining() >= 4 && c.extensions.size() < 128) {
    uint16_t type;
    Bytes v;
    if (!e.u16be(type) || !vec16(e, v)) return false;
    c.extensions.push_back(type);
    ByteReader x(v);
    Bytes list;
    switch (type) {
      case 0:  // server_name: list of (type, name)
        if (vec16(x, list)) {
          ByteReader l(list);
          uint8_t nt;
          Bytes name;
          if (l.u8(nt) && nt == 0 && vec16(l, name)) c.sni = text::str(name, 255);
        }
        break;
      case 10:
        if (vec16(x, list)) u16_list(list, c.groups);
        break;
      case 11:
        if (vec8(x, list)) c.point_formats.assign(list.begin(), list.begin() + std::min<size_t>(list.size(), 16));
        break;
      case 13:
        if (vec16(x, list)) u16_list(list, c.sig_algs);
        break;
      case 16:
        if (vec16(x, list)) {
          ByteReader l(list);
          Bytes proto;
          while (c.alpn.size() < 16 && vec8(l, proto)) c.alpn.push_back(text::str(proto, 64));
        }
        break;
      case 43:
        if (vec8(x, list)) u16_list(list, c.versions, 32);
        break;
      default:
        break;
    }
  }
  return true;
}

bool parse_sslv2_client_hello(Bytes rec, ClientHello& c) {
  // 2-byte header with the high bit set, msg type 1, version, lengths.
  if (rec.size() < 11 || !(rec[0] & 0x80) || rec[2] != 1) return false;
  uint16_t spec_len = be16(rec.data() + 5), sid_len = be16(rec.data() + 7), chal_len = be16(rec.data() + 9);
  if (spec_len % 3 || 11u + spec_len + sid_len + chal_len > rec.size()) return false;
  c.sslv2 = true;
  c.version = be16(rec.data() + 3);
  for (size_t i = 0; i < spec_len; i += 3) {
    const uint8_t* p = rec.data() + 11 + i;
    if (p[0] == 0 && c.ciphers.size() < 512) c.ciphers.push_back(be16(p + 1));  // SSLv3/TLS suites in v2 form
  }
  return true;
}

bool parse_server_hello(Bytes body, ServerHello& s) {
  ByteReader r(body);
  Bytes random, sid, exts;
  uint8_t comp;
  if (!r.u16be(s.version) || !r.take(32, random) || !vec8(r, sid) || !r.u16be(s.cipher) || !r.u8(comp)) return false;
  s.session_id = !sid.empty();
  if (r.remaining() == 0) return true;
  if (!vec16(r, exts)) return false;
  ByteReader e(exts);
  while (e.remaining() >= 4 && s.extensions.size() < 64) {
    uint16_t type;
    Bytes v;
    if (!e.u16be(type) || !vec16(e, v)) return false;
    s.extensions.push_back(type);
    if (type == 43 && v.size() == 2) s.selected_version = be16(v.data());
    if (type == 16) {
      ByteReader x(v);
      Bytes list, proto;
      if (vec16(x, list)) {
        ByteReader l(list);
        if (vec8(l, proto)) s.alpn = text::str(proto, 64);
      }
    }
  }
  return true;
}

std::vector<Bytes> certificate_list(Bytes body, size_t max) {
  std::vector<Bytes> out;
  if (body.size() < 3) return out;
  size_t total = static_cast<size_t>(body[0]) << 16 | body[1] << 8 | body[2];
  Bytes list = body.subspan(3, std::min(total, body.size() - 3));
  size_t p = 0;
  while (p + 3 <= list.size() && out.size() < max) {
    size_t len = static_cast<size_t>(list[p]) << 16 | list[p + 1] << 8 | list[p + 2];
    p += 3;
    if (len == 0 || p + len > list.size()) break;
    out.push_back(list.subspan(p, len));
    p += len;
  }
  return out;
}

bool parse_certificate(Bytes der, Certificate& c) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, decltype(&X509_free)> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!x) return false;
  c.subject = name_string(X509_get_subject_name(x.get()));
  c.issuer = name_string(X509_get_issuer_name(x.get()));
  if (const ASN1_INTEGER* sn = X509_get0_serialNumber(x.get())) {
    c.serial = text::hex(Bytes(sn->data, static_cast<size_t>(std::max(sn->length, 0))), 64);
    std::transform(c.serial.begin(), c.serial.end(), c.serial.begin(), ::toupper);
  }
  c.not_before = time_string(X509_get0_notBefore(x.get()), c.not_before_s);
  c.not_after = time_string(X509_get0_notAfter(x.get()), c.not_after_s);
  int sig = X509_get_signature_nid(x.get());
  c.sig_alg = sig != NID_undef ? OBJ_nid2ln(sig) : "";
  if (EVP_PKEY* k = X509_get0_pubkey(x.get())) {
    int id = EVP_PKEY_get_base_id(k);
    c.key_type = id == EVP_PKEY_RSA ? "rsa" : id == EVP_PKEY_EC ? "ecdsa" : id == EVP_PKEY_DSA ? "dsa"
               : id == EVP_PKEY_ED25519 ? "ed25519" : id == EVP_PKEY_ED448 ? "ed448" : OBJ_nid2sn(id);
    c.key_bits = EVP_PKEY_get_bits(k);
  }
  // Self-signed: issued by itself and its own key verifies the signature.
  c.self_signed = X509_check_issued(x.get(), x.get()) == X509_V_OK;
  c.ca = X509_check_ca(x.get()) > 0;
  c.sha256 = text::digest_hex(EVP_sha256(), der);
  if (auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr))) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans) && c.san_dns.size() < 32; ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
      if (g->type == GEN_DNS) {
        const ASN1_IA5STRING* s = g->d.dNSName;
        c.san_dns.push_back(text::str(Bytes(s->data, static_cast<size_t>(std::max(s->length, 0))), 255));
      }
    }
    GENERAL_NAMES_free(sans);
  }
  return true;
}

std::string version_name(uint16_t v) {
  switch (v) {
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default:
      if ((v >> 8) == 0x7f) return "TLS 1.3 draft " + std::to_string(v & 0xff);
      return "0x" + hex4(v);
  }
}

std::string ja3_string(const ClientHello& c) {
  std::vector<uint16_t> pf(c.point_formats.begin(), c.point_formats.end());
  return std::to_string(c.version) + "," + join(c.ciphers, true) + "," + join(c.extensions, true) + "," +
         join(c.groups, true) + "," + join(pf, false);
}

std::string ja3s_string(const ServerHello& s) {
  return std::to_string(s.version) + "," + std::to_string(s.cipher) + "," + join(s.extensions, true);
}


std::string ja4(const ClientHello& c, char transport) {
  uint16_t v = c.version;
  uint16_t best = 0;
  for (uint16_t x : c.versions) {
    if (!grease(x)) best = std::max(best, x);
  }
  if (best) v = best;
  std::string ver = v == 0x0304 ? "13" : v == 0x0303 ? "12" : v == 0x0302 ? "11" : v == 0x0301 ? "10"
                  : v == 0x0300 ? "s3" : v == 0x0002 ? "s2" : "00";
  std::vector<uint16_t> ciphers, exts;
  for (uint16_t x : c.ciphers) if (!grease(x)) ciphers.push_back(x);
  for (uint16_t x : c.extensions) if (!grease(x)) exts.push_back(x);
  bool sni = std::find(exts.begin(), exts.end(), 0) != exts.end();
  char counts[8];
  std::snprintf(counts, sizeof counts, "%02zu%02zu", std::min<size_t>(ciphers.size(), 99), std::min<size_t>(exts.size(), 99));
  std::string alpn = "00";
  if (!c.alpn.empty() && !c.alpn[0].empty()) {
    const std::string& a = c.alpn[0];
    auto alnum = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; };
    if (alnum(a.front()) && alnum(a.back())) {
      alpn = std::string{a.front(), a.back()};
    } else {
      std::string h = text::hex(Bytes(reinterpret_cast<const uint8_t*>(a.data()), a.size()), a.size());
      alpn = std::string{h.front(), h.back()};
    }
  }
  std::string a = std::string(1, transport) + ver + (sni ? "d" : "i") + counts + alpn;
  std::sort(ciphers.begin(), ciphers.end());
  std::string b;
  for (uint16_t x : ciphers) b += (b.empty() ? "" : ",") + hex4(x);
  std::vector<uint16_t> sorted;
  for (uint16_t x : exts) if (x != 0 && x != 16) sorted.push_back(x);
  std::sort(sorted.begin(), sorted.end());
  std::string cs;
  for (uint16_t x : sorted) cs += (cs.empty() ? "" : ",") + hex4(x);
  std::string sigs;
  for (uint16_t x : c.sig_algs) if (!grease(x)) sigs += (sigs.empty() ? "" : ",") + hex4(x);
  if (!sigs.empty()) cs += "_" + sigs;
  return a + "_" + sha256_12(b) + "_" + (sorted.empty() ? std::string("000000000000") : sha256_12(cs));
}

std::string cipher_name(uint16_t id) {
  // Legacy suites OpenSSL 3 no longer knows (IANA TLS Cipher Suites registry):
  // the ones a hospital most needs to see named.
  static const struct {
    uint16_t id;
    const char* name;
  } legacy[] = {
      {0x0001, "TLS_RSA_WITH_NULL_MD5"},           {0x0002, "TLS_RSA_WITH_NULL_SHA"},
      {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},  {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
      {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},        {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
      {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"}, {0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
      {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"}, {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"},
      {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"}, {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
      {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"},    {0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"},
      {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"}, {0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA"},
      {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},  {0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA"},
  };
  static SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  static SSL* ssl = ctx ? SSL_new(ctx) : nullptr;
  if (ssl) {
    unsigned char b[2] = {static_cast<unsigned char>(id >> 8), static_cast<unsigned char>(id)};
    if (const SSL_CIPHER* c = SSL_CIPHER_find(ssl, b)) {
      if (const char* n = SSL_CIPHER_standard_name(c)) return n;
    }
  }
  for (const auto& l : legacy) {
    if (l.id == id) return l.name;
  }
  return "";
}

bool weak_cipher(uint16_t id) {
  // IANA TLS cipher suite registry: NULL encryption, export grade, anonymous
  // key exchange, RC4, single DES and 3DES suites.
  static const uint16_t weak[] = {
      0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009, 0x000a, 0x000b, 0x000c, 0x000d,
      0x000e, 0x000f, 0x0010, 0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017, 0x0018, 0x0019, 0x001a, 0x001b,
      0x001e, 0x001f, 0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b,
      0x002c, 0x002d, 0x002e, 0x0034, 0x003a, 0x003b, 0x0046, 0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066,
      0x006c, 0x006d, 0x0089, 0x008a, 0x008b, 0x008e, 0x008f, 0x0092, 0x0093, 0x009b, 0x00a6, 0x00a7, 0x00b0, 0x00b1,
      0x00b4, 0x00b5, 0x00b8, 0x00b9, 0x00bf, 0x00c5, 0xc001, 0xc002, 0xc003, 0xc006, 0xc007, 0xc008, 0xc00b, 0xc00c,
      0xc00d, 0xc010, 0xc011, 0xc012, 0xc015, 0xc016, 0xc017, 0xc018, 0xc019, 0xc01a, 0xc01b, 0xc01c, 0xc033, 0xc034,
      0xc039, 0xc03a, 0xc03b};
  return std::binary_search(std::begin(weak), std::end(weak), id);
}

}  // namespace ms::tls
