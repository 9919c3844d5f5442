// A baseline (docs/detections.md, rule 10): for each internal host, the
// conversations it starts (peer and service), the external networks it
// reaches, and its busiest hour. A text file a person can read and diff:
//   # comment
//   host<TAB>IP<TAB>busiest-hour-bytes
//   peer<TAB>IP<TAB>PEER<TAB>tcp/104
//   external<TAB>IP<TAB>203.0.113.0/24
//   order<TAB>RECEIVER<TAB>SENDER<TAB>RDE      (HL7 orders a device received)
//   ae<TAB>CALLED<TAB>CALLING-AE               (DICOM associations a device accepted)
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "common/types.h"

namespace ms::detect {

struct Baseline {
  std::string source;  // what it was learned from (a file, or "the first N s of this run")
  std::map<std::string, uint64_t> hosts;  // host -> bytes it sent in its busiest hour
  std::set<std::pair<std::string, std::string>> peers;     // (host, "PEER service")
  std::set<std::pair<std::string, std::string>> externals; // (host, network)
  std::set<std::pair<std::string, std::string>> orders;    // (receiver, "SENDER TYPE")
  std::set<std::pair<std::string, std::string>> aes;       // (called host, calling AE title)
  bool knows_peer(const std::string& host, const std::string& peer) const;
};

// Throws ConfigError ("FILE:LINE: what") for a file that is not a baseline.
Baseline load_baseline(const std::string& path);
// Throws std::runtime_error if the file cannot be written.
void save_baseline(const std::string& path, const Baseline& b, const std::string& comment);

// The network a baseline remembers for an external address: its /24 (IPv4)
// or /48 (IPv6).
std::string external_network(const std::string& ip);

}  // namespace ms::detect
