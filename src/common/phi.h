// PHI tokens: patient names, identifiers and birth dates are never written
// in clear. Each is replaced by a keyed hash of its normalised value
// (HMAC-SHA256 with a per-installation secret), so the same patient gives the
// same token across runs with the same key, and nobody without the key can
// tell who it is. `--keep-phi` turns this off, loudly.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ms {

class PhiTokenizer {
 public:
  static constexpr size_t kKeyLen = 32;

  // Loads the key from `path`, or creates it (random, mode 0600, parent
  // directory 0700) if it does not exist. Throws std::runtime_error with a
  // one-line message (unreadable, wrong size, readable by others).
  static PhiTokenizer load_or_create(const std::string& path);
  // The default key file: $MEDSENTRY_PHI_KEY, else
  // $XDG_CONFIG_HOME/medsentry/phi.key, else ~/.config/medsentry/phi.key.
  static std::string default_path();

  explicit PhiTokenizer(const std::array<uint8_t, kKeyLen>& key, bool keep_phi = false);

  // kind: "name", "id", "birth_date", "accession", "address", "phone".
  // Returns "phi:<16 hex>" (64 bits of the HMAC), or the value itself with
  // --keep-phi. An empty value stays empty.
  std::string token(std::string_view kind, std::string_view value) const;
  bool keep_phi() const { return keep_; }

  // Normalisation before hashing, so that formatting does not change a
  // token: person names (DICOM PN, HL7 XPN) uppercased, components split on
  // '^', trailing empty components and spaces removed; dates reduced to digits.
  static std::string normalise(std::string_view kind, std::string_view value);

 private:
  // HMAC-SHA256 (RFC 2104) with the key's inner and outer blocks hashed
  // once: a token copies two small states instead of keying a MAC (OpenSSL's
  // one-shot HMAC() fetches the algorithm and allocates on every call, a
  // fifth of the packet thread on HL7-heavy traffic).
  struct Keyed;
  std::shared_ptr<const Keyed> keyed_;
  bool keep_;
};

}  // namespace ms
