// PHI tokenizer: key file handling and HMAC-SHA256 tokens (OpenSSL).
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, whose
// contexts allocate; the low-level calls are still OpenSSL's own SHA-256 and
// let a keyed state be copied as a plain struct.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "common/phi.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "common/private_dirs.h"

namespace ms {

std::string PhiTokenizer::default_path() {
  if (const char* p = std::getenv("MEDSENTRY_PHI_KEY"); p && *p) return p;
  std::string base;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = std::string(h) + "/.config";
  } else {
    base = ".";
  }
  return base + "/medsentry/phi.key";
}

PhiTokenizer PhiTokenizer::load_or_create(const std::string& path) {
  std::array<uint8_t, kKeyLen> key{};
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) throw std::runtime_error(path + ": PHI key is not a regular file");
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
      char mode[8];
      snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
      throw std::runtime_error(path + ": PHI key is accessible by other users (mode " + mode + "); chmod 600 it");
    }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(path + ": cannot read PHI key: " + std::strerror(errno));
    ssize_t n = read(fd, key.data(), key.size());
    char extra;
    ssize_t more = read(fd, &extra, 1);
    close(fd);
    if (n != static_cast<ssize_t>(kKeyLen) || more != 0) {
      throw std::runtime_error(path + ": PHI key must be exactly 32 bytes");
    }
    return PhiTokenizer(key);
  }
  if (errno != ENOENT) throw std::runtime_error(path + ": " + std::strerror(errno));
  // Create it: the parent directory private, the file written then renamed.
  std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  if (!dir.empty()) make_private_dirs(dir, " for the PHI key");
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw std::runtime_error("cannot generate a PHI key");
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(tmp + ": cannot create PHI key: " + std::strerror(errno));
  bool ok = write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    throw std::runtime_error(path + ": cannot write PHI key");
  }
  return PhiTokenizer(key);
}

std::string PhiTokenizer::normalise(std::string_view kind, std::string_view v) {
  std::string out;
  if (kind == "birth_date") {
    for (char c : v) {
      if (std::isdigit(static_cast<unsigned char>(c))) out += c;
    }
    return out;
  }
  // Trim, uppercase, collapse runs of spaces.
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == 0) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (kind == "name") {
    // "DOE^JOHN^^^" and "DOE^JOHN" are the same name; spaces around '^' go.
    std::string n;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == ' ' && ((i + 1 < out.size() && out[i + 1] == '^') || (!n.empty() && n.back() == '^'))) continue;
      n += out[i];
    }
    while (!n.empty() && n.back() == '^') n.pop_back();
    return n;
  }
  return out;
}

struct PhiTokenizer::Keyed {
  SHA256_CTX inner, outer;
};

PhiTokenizer::PhiTokenizer(const std::array<uint8_t, kKeyLen>& key, bool keep_phi) : keep_(keep_phi) {
  // RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), K zero-padded to the
  // 64-byte block (our keys are 32 bytes, never longer than a block).
  static_assert(kKeyLen <= SHA256_CBLOCK);
  unsigned char ipad[SHA256_CBLOCK], opad[SHA256_CBLOCK];
  for (size_t i = 0; i < SHA256_CBLOCK; ++i) {
    unsigned char k = i < key.size() ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  auto k = std::make_shared<Keyed>();
  SHA256_Init(&k->inner);
  SHA256_Update(&k->inner, ipad, sizeof ipad);
  SHA256_Init(&k->outer);
  SHA256_Update(&k->outer, opad, sizeof opad);
  keyed_ = std::move(k);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

std::string PhiTokenizer::token(std::string_view kind, std::string_view value) const {
  std::string norm = normalise(kind, value);
  if (norm.empty()) return "";
  if (keep_) return std::string(value);
  // The message is kind ":" normalised value.
  unsigned char inner_mac[SHA256_DIGEST_LENGTH], mac[SHA256_DIGEST_LENGTH];
  SHA256_CTX c = keyed_->inner;
  SHA256_Update(&c, kind.data(), kind.size());
  SHA256_Update(&c, ":", 1);
  SHA256_Update(&c, norm.data(), norm.size());
  SHA256_Final(inner_mac, &c);
  c = keyed_->outer;
  SHA256_Update(&c, inner_mac, sizeof inner_mac);
  SHA256_Final(mac, &c);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "phi:";
  for (int i = 0; i < 8; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

}  // namespace ms
