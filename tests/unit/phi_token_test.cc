// PHI tokens: the precomputed HMAC-SHA256 must give exactly what OpenSSL's
// one-shot HMAC() gives for "kind:normalised value", so tokens stay the same
// across versions for an installation's key.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <string>

#include "common/phi.h"

namespace {

std::string reference(const std::array<uint8_t, ms::PhiTokenizer::kKeyLen>& key, const std::string& kind,
                      const std::string& value) {
  std::string norm = ms::PhiTokenizer::normalise(kind, value);
  if (norm.empty()) return "";  // nothing to hide (a date without digits)
  std::string msg = kind + ":" + norm;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  // Formatted independently of the tokenizer: 8 bytes as %02x.
  char hex[17];
  for (int i = 0; i < 8; ++i) std::snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  std::string out = std::string("phi:") + hex;
  return out;
}

TEST(PhiHmac, EqualsOpenSslHmacForEveryKindAndLength) {
  std::array<uint8_t, ms::PhiTokenizer::kKeyLen> zero{}, key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(0xA5 ^ (i * 37));
  for (const auto& k : {zero, key}) {
    ms::PhiTokenizer t(k);
    // Values that cross SHA-256's 64-byte block with the prefix, and one
    // that fills several blocks.
    for (const char* kind : {"name", "id", "birth_date", "accession"}) {
      for (const std::string& v : {std::string("DOE^JANE"), std::string("PID778812"), std::string("19700101"),
                                   std::string(50, 'A'), std::string(55, '7'), std::string(56, 'B'),
                                   std::string(64, 'C'), std::string(300, 'D')}) {
        EXPECT_EQ(t.token(kind, v), reference(k, kind, v)) << kind << " " << v.size();
      }
    }
  }
}

TEST(PhiHmac, KeysKindsAndCopiesBehave) {
  std::array<uint8_t, ms::PhiTokenizer::kKeyLen> k1{}, k2{};
  k2[0] = 1;
  ms::PhiTokenizer a(k1), b(k2);
  EXPECT_NE(a.token("name", "DOE^JANE"), b.token("name", "DOE^JANE"));
  EXPECT_NE(a.token("name", "12345"), a.token("id", "12345"));
  EXPECT_EQ(a.token("name", "doe^jane^^"), a.token("name", "DOE^JANE"));
  EXPECT_EQ(a.token("id", ""), "");
  ms::PhiTokenizer copy = a;  // the keyed state is shared, not re-derived
  EXPECT_EQ(copy.token("id", "PID1"), a.token("id", "PID1"));
  ms::PhiTokenizer clear(k1, true);
  EXPECT_EQ(clear.token("id", "PID1"), "PID1");
}

}  // namespace
