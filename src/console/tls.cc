// A self-signed certificate for the console and its fingerprint (tls.h).
#include "console/tls.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "common/private_dirs.h"

namespace ms::console {

namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Free<X509, X509_free>>;

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// A file created with the given mode before anything is written into it.
FILE* create(const std::string& path, mode_t mode) {
  unlink(path.c_str());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) throw std::runtime_error(path + ": cannot create");
  FILE* f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    throw std::runtime_error(path + ": cannot create");
  }
  return f;
}

void add_names(X509* x) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  bool plain = host[0] != '\0';
  for (const char* c = host; *c; ++c) plain &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '.';
  if (plain) san += std::string(",DNS:") + host;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
  if (!ext) throw std::runtime_error("cannot name the certificate");
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

std::string default_tls_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/medsentry";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/medsentry";
}

void ensure_certificate(const std::string& cert_path, const std::string& key_path) {
  if (exists(cert_path) || exists(key_path)) {
    if (!exists(cert_path) || !exists(key_path)) throw std::runtime_error(cert_path + " and " + key_path + ": one is missing");
    return;
  }
  size_t slash = key_path.rfind('/');
  if (slash != std::string::npos && slash > 0) make_private_dirs(key_path.substr(0, slash), " for the console's key");
  Key key(EVP_EC_gen("P-256"));
  Cert x(X509_new());
  if (!key || !x) throw std::runtime_error("cannot generate a key");
  X509_set_version(x.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) throw std::runtime_error("no random bytes from OpenSSL");
  serial[0] &= 0x7f;  // a positive serial number (RFC 5280 4.1.2.2)
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 825L * 24 * 3600);  // the CA/Browser Forum's old maximum
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("medsentry console"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509_set_pubkey(x.get(), key.get());
  add_names(x.get());
  if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("cannot sign the certificate");
  FILE* kf = create(key_path, 0600);
  bool ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  ok &= std::fclose(kf) == 0;
  FILE* cf = create(cert_path, 0644);
  ok &= PEM_write_X509(cf, x.get()) == 1;
  ok &= std::fclose(cf) == 0;
  if (!ok) throw std::runtime_error(cert_path + ": write failed");
}

std::string certificate_fingerprint(const std::string& cert_path) {
  FILE* f = std::fopen(cert_path.c_str(), "r");
  if (!f) throw std::runtime_error(cert_path + ": cannot read");
  Cert x(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!x) throw std::runtime_error(cert_path + ": not a PEM certificate");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(x.get(), EVP_sha256(), md, &n);
  std::string out;
  char buf[4];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, i ? ":%02X" : "%02X", md[i]);
    out += buf;
  }
  return out;
}

}  // namespace ms::console
