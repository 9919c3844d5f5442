// Maker clouds that consumer and wearable medical devices and their companion
// apps call (data/cloud_endpoints.csv, issue 16): a name a device calls (DNS
// query, TLS SNI or certificate, HTTP Host) or a product token its user agent
// carries says whose device it is, or whose companion app it runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms::inv {

struct CloudEndpoint {
  enum Caller { kDevice, kCompanion, kEither };
  int line = 0;             // the row's number, counting data rows only
  bool user_agent = false;  // kind: user_agent (else name)
  std::string pattern;      // lower case
  std::string maker, family, cls, source;
  bool medical = false;
  Caller caller = kEither;
};

// Every row; a malformed table throws at first use (the unit test loads it).
const std::vector<CloudEndpoint>& cloud_endpoints();

// The row whose name covers `name` (the name itself or a name under it;
// case and a trailing dot ignored), or null. `www.` names are the makers'
// marketing web sites that anyone browses: they never match.
const CloudEndpoint* cloud_of_name(std::string_view name);

// The row whose product token the user agent carries ("Dexcom Share/3.0"),
// at its start or after a space, '(' or ';', followed by '/'; or null.
const CloudEndpoint* cloud_of_user_agent(std::string_view ua);

const char* caller_name(CloudEndpoint::Caller c);

}  // namespace ms::inv
