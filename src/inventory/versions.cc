// Versions in identity texts (versions.h). Regular expressions over texts of
// at most 512 characters (ObserveCtx::add drops longer values), searched
// once per text at derivation: never on the packet path.
#include "inventory/versions.h"

#include <regex>

namespace ms::inv {

namespace {

constexpr size_t kMaxVersion = 32;

// A version token: starts with a digit or one letter then a dot ("M.00.03",
// IntelliVue revisions), then digits, letters, dots, dashes, underscores.
const char* const kToken = R"(([0-9][0-9A-Za-z]*(?:[._-][0-9A-Za-z]+)*|[A-Za-z]\.[0-9]+(?:[._-][0-9A-Za-z]+)*))";

const std::regex& keyword_re() {
  // Words makers put before a version (sysDescr, titles, vendor classes):
  // firmware, FW, software, SW, version, ver, rev(ision), release, build.
  static const std::regex re(std::string(R"(\b(?:firmware|fw|software|sw|version|ver|rev|revision|release|build)\b\.?\s*[:=]?\s*[vV]?)") +
                                 kToken,
                             std::regex::icase | std::regex::ECMAScript | std::regex::optimize);
  return re;
}

const std::regex& v_number_re() {
  // "V01.20.00", "v2.3": a V directly before a dotted number.
  static const std::regex re(R"((?:^|[\s(,;_-])[vV]([0-9]+(?:\.[0-9A-Za-z]+)+)\b)", std::regex::ECMAScript | std::regex::optimize);
  return re;
}

const std::regex& software_re() {
  // RFC 9110 §10.2.4 product tokens ("Apache/2.4.57"), RFC 4253 §4.2
  // softwareversion ("OpenSSH_9.2p1"), a DHCP client's "udhcp 1.36.1".
  static const std::regex re(R"(^\s*([A-Za-z][A-Za-z0-9.+-]{1,31})[/_ ]v?([0-9]+(?:\.[0-9A-Za-z]+)+[A-Za-z0-9.+-]*|[0-9]{4}\.[0-9]+))",
                             std::regex::ECMAScript | std::regex::optimize);
  return re;
}

}  // namespace

std::string device_version_in(std::string_view text) {
  std::string s(text);
  std::smatch m;
  if (std::regex_search(s, m, keyword_re()) || std::regex_search(s, m, v_number_re())) {
    std::string v = m[1].str();
    if (v.size() <= kMaxVersion) return v;
  }
  return "";
}

bool software_version_in(std::string_view text, SoftwareVersion& out) {
  std::string s(text);
  std::smatch m;
  if (!std::regex_search(s, m, software_re())) return false;
  out.name = m[1].str();
  out.version = m[2].str();
  return out.version.size() <= kMaxVersion;
}

}  // namespace ms::inv
