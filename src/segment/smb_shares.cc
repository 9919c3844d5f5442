// SMB shares in a segmentation policy (docs/segmentation.md "SMB
// administrative shares"): which share names are administrative, and which
// rules guard them. A policy that allows SMB from a modality to a file
// server does not thereby allow copying a service binary to ADMIN$ (ATT&CK
// T1021.002, how PsExec starts code on another machine).
#include <algorithm>

#include "dissectors/text.h"
#include "segment/policy.h"

namespace ms::seg {

std::string_view share_of_path(std::string_view path) {
  size_t slash = path.rfind('\\');  // UNC: \\server\share (MS-SMB2 2.2.9)
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_admin_share(std::string_view name) {
  if (name.size() < 2 || name.back() != '$') return false;
  // IPC$ is the named-pipe share ordinary clients open (smbclient and
  // Windows list shares over MS-SRVS in \PIPE\srvsvc): not administrative.
  return text::lower(name) != "ipc$";
}

bool valid_share_name(std::string_view name) {
  if (name == "*") return true;
  // MS-FSCC 2.1.6: at most 80 characters, none of " \ / [ ] : | < > + = ; , * ?
  // and no control characters. Bytes over 0x7f (UTF-8, up to 3 bytes per
  // UTF-16 character) are allowed.
  if (name.empty() || name.size() > 3 * kMaxShareName) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || std::string_view("\"\\/[]:|<>+=;,*?").find(c) != std::string_view::npos;
  });
}

bool guards_admin_shares(const Rule& r) {
  if (r.proto != "tcp" || (r.port != 445 && r.port != 139)) return false;
  return std::none_of(r.shares.begin(), r.shares.end(),
                      [](const std::string& s) { return s == "*" || is_admin_share(s); });
}

}  // namespace ms::seg
