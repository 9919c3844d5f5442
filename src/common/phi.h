// PHI tokens: patient names, identifiers and birth dates are never written
// in clear. Each is replaced by a keyed hash of its normalised value
// (HMAC-SHA256 with a per-installation secret), so the same patient gives the
// same token across runs with the same key, and nobody without the key can
// tell who it is. `--keep-phi` turns this off, loudly.
#pragma once

#include <array>
#include <cstdint>
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

  explicit PhiTokenizer(const std::array<uint8_t, kKeyLen>& key, bool keep_phi = false)
      : key_(key), keep_(keep_phi) {}

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
  std::array<uint8_t, kKeyLen> key_;
  bool keep_;
};

}  // namespace ms
