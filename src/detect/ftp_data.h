// FTP data connections, for the rules that judge files carried by a bare TCP
// connection (dicom_file events with transport "tcp"): when an FTP control
// channel announced that connection (PASV/EPSV/PORT reply, RFC 959 §4.1.2,
// RFC 2428), the candidate's protocol becomes "ftp" at the end of the run,
// whichever came first. A rule that needs it keeps one and wants "ftp".
#pragma once

#include <map>
#include <set>
#include <string>

#include "detect/candidates.h"
#include "detect/expiry.h"
#include "detect/rule.h"

namespace ms::detect {

constexpr size_t kMaxFtpChannels = 65'536;  // announced FTP data connections remembered

class FtpDataChannels {
 public:
  // An "ftp" event: remembers the data connection it announces, if any.
  void take(const Input& in, Context& ctx);
  // Candidates with protocol "tcp" whose evidence list "data_connections"
  // ("HOST PORT") names an announced channel become "ftp" ones.
  void join(Candidates& cands) const;
  // The live monitor's expiry (expiry.h): channels announced before the cut go.
  void expire(const Expiry& x);

 private:
  std::map<std::string, TimeNs> channels_;  // "HOST PORT" -> when last announced
};

}  // namespace ms::detect
