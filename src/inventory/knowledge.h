// The inventory's knowledge: IEEE registries (Debian's ieee-data, read at run
// time), and the reviewed tables in data/ compiled in: vendor aliases, device
// signatures and end-of-life operating systems (data/README.md).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/csv.h"

namespace ms::inv {

// IEEE MA-L (24-bit), MA-M (28-bit) and MA-S (36-bit) assignments; the
// longest prefix wins.
class OuiRegistry {
 public:
  // Loads DIR/oui.csv, mam.csv, oui36.csv (missing files are skipped; see
  // loaded()). The default DIR is $MEDSENTRY_IEEE_DATA or /usr/share/ieee-data.
  static const OuiRegistry& instance();
  static std::string default_dir();
  explicit OuiRegistry(const std::string& dir);
  // "" when no registry covers the MAC (or it is locally administered).
  std::string lookup(std::string_view mac) const;
  size_t size() const { return n_; }

 private:
  // An assignment: its prefix and where its organisation field starts in the
  // file's text (kept whole). The organisation is unquoted when looked up:
  // a run sees a few dozen MACs, the files list ~50,000 organisations.
  struct Entry {
    uint64_t prefix;
    uint32_t text, offset;
  };
  std::vector<std::string> texts_;
  std::vector<Entry> by_prefix_[3];  // 24, 28, 36 bits, sorted by prefix
  size_t n_ = 0;
};

// MAC helpers: "aa:bb:cc:dd:ee:ff" only.
bool parse_mac(std::string_view mac, uint8_t out[6]);
bool mac_locally_administered(std::string_view mac);

// Vendor names as people say them: "GE MEDICAL SYSTEMS", "GE Healthcare
// Japan" -> "GE Healthcare"; "Carefusion" -> "BD". Unknown names are kept,
// with corporate suffixes (Inc., Co., Ltd ...) trimmed.
std::string canonical_vendor(std::string_view name);

// A device signature: when `attribute` of a device matches `pattern`,
// conclude manufacturer / model / type / class with `confidence`.
struct Signature {
  int line = 0;  // the rule's number: its row, counting data rows only
  std::string manufacturer, attribute, pattern, model, type, cls, example;
  double confidence = 0;
  // One of these (lower case) is in every text the pattern matches
  // (inventory/regex_prefilter.h); nullopt: every text is tried.
  std::optional<std::vector<std::string>> literals;
  // The pattern, compiled on its first use: most never are.
  const std::regex& re() const;
  struct Compiled;
  std::shared_ptr<Compiled> compiled;
};
struct SignatureMatch {
  const Signature* sig = nullptr;
  std::string model;  // with $1..$9 substituted
};
const std::vector<Signature>& signatures();
std::optional<SignatureMatch> match(const Signature& s, const std::string& value);
// The same, with text::lower(value) already made (one per text, not per
// signature).
std::optional<SignatureMatch> match(const Signature& s, const std::string& value, std::string_view lowered);

// The device types and classes the inventory speaks (docs/inventory.md).
const std::vector<std::string>& device_types();
bool is_medical_type(std::string_view type);

// End-of-life operating systems.
struct EolEntry {
  std::string pattern, os, end_of_support, source;
  std::regex re;
};
const std::vector<EolEntry>& eol_table();
const EolEntry* eol_of(const std::string& os);

// DHCP option-55 fingerprints (data/dhcp_fingerprints.csv, from FingerBank):
// the OS or device families that send this parameter list.
struct DhcpFingerprint {
  std::string os, family;
};
std::vector<DhcpFingerprint> dhcp_fingerprint(const std::string& params);

// Operating system names from what protocols say, or "" when the text says
// nothing: NTLMSSP versions ("6.1 build 7601"), SMB native OS, SSH software
// and comments, HTTP user agents, SNMP/LLDP descriptions.
std::string os_from_ntlm_version(std::string_view version);
std::string os_from_text(std::string_view text);
std::string os_from_ssh(std::string_view software, std::string_view comments);
std::string os_from_ttl(unsigned initial_ttl);

}  // namespace ms::inv
