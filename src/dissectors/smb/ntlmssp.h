// NTLMSSP messages (MS-NLMP §2.2): NEGOTIATE, CHALLENGE (the server's names
// and OS version), AUTHENTICATE (domain, user, workstation, client OS
// version). Found by its signature inside SPNEGO or raw security blobs.
#pragma once

#include <string>

#include "common/bytes.h"

namespace ms::ntlmssp {

struct Message {
  uint32_t type = 0;  // 1, 2 or 3
  uint32_t flags = 0;
  std::string domain, user, workstation;  // AUTHENTICATE (and NEGOTIATE's optional names)
  std::string version;                    // "10.0 build 10586 rev 15" (client in 1/3, server in 2)
  // CHALLENGE target info (AV pairs)
  std::string target_name, nb_computer, nb_domain, dns_computer, dns_domain, dns_tree;
  bool anonymous = false;  // AUTHENTICATE with an empty user and no NT response
};

// Looks for "NTLMSSP\0" in `blob` and parses the message found there.
bool find_and_parse(Bytes blob, Message& out);

}  // namespace ms::ntlmssp
