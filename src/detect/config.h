// The detections' settings (docs/detections.md "Configuration"): one TOML
// file, every value validated on load. A bad file is one line naming the file,
// the line and what is wrong; nothing is analysed with half a configuration.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/cidr.h"

namespace ms::seg {
struct Policy;
}

namespace ms::detect {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An address or a range, as written in the file (kept for messages).
struct Range {
  std::string text;
  Cidr cidr;
  bool contains(std::string_view ip) const { return in_cidr(ip, cidr); }
};

// Silences one rule (or every rule: "*") for a source, a destination or a
// pair; an empty side matches any address.
struct Allow {
  std::string rule;
  std::vector<Range> src, dst;
  std::string reason;
  int line = 0;
};

struct Thresholds {
  // Scans (Zeek's scan policy counts 25 hosts or 15 ports in 5 minutes).
  uint32_t scan_window = 300;   // seconds
  uint32_t scan_hosts = 25;     // distinct hosts probed
  uint32_t scan_ports = 15;     // distinct ports probed on one host
  uint32_t scan_targets = 30;   // distinct host:port probed
  // A clinical network is quiet: a host that is neither IT infrastructure
  // nor a management host probing 8 ports of one device, 10 hosts or 16
  // host:port is a scan (issue 15); a medical device should probe nothing,
  // so 4 distinct targets from one are.
  uint32_t scan_clinical_hosts = 10;
  uint32_t scan_clinical_ports = 8;
  uint32_t scan_clinical_targets = 16;
  uint32_t scan_device_targets = 4;
  // Brute force: failed logins from one source to one service.
  uint32_t brute_force_failures = 5;
  uint32_t brute_force_window = 600;
  // Against or from a medical device, where login failures are rare.
  uint32_t brute_force_failures_medical = 3;
  // DICOM query harvesting from one source to one server.
  uint32_t harvest_window = 300;
  uint32_t harvest_broad_queries = 3;  // queries that name no patient, study or date
  uint32_t harvest_queries = 25;       // any queries
};

// Baselines (rule 10): what each host normally talks to, learned from the
// first `learning_period` seconds of a run, or from another capture
// (--learn-baseline, then --baseline).
struct BaselineSettings {
  uint32_t learning_period = 0;         // seconds; 0: no in-run learning
  uint32_t volume_factor = 10;          // an hour above factor x the learned busiest hour...
  uint64_t volume_min_bytes = 50'000'000;  // ...and above this many bytes sent is a spike
};

struct Config {
  std::string path;  // "" for the defaults
  std::vector<Range> internal;  // the hospital's own networks
  std::vector<Range> pacs;      // archives and routers: their queries and moves are routine
  std::vector<Range> management;  // biomed jump hosts: their sessions to devices are routine
  std::vector<std::string> ae_titles;  // the DICOM AE titles patient data may go to (empty: not judged)
  std::vector<std::string> disabled_rules;
  Thresholds thresholds;
  BaselineSettings baseline;
  std::vector<Allow> allow;
  // A segmentation policy (analyze --policy, docs/segmentation.md): flows it
  // denies are policy_violation alerts (monitor mode). Null: not judged.
  std::shared_ptr<const seg::Policy> segment_policy;

  bool is_internal(std::string_view ip) const;
  bool is_pacs(std::string_view ip) const;
  bool is_management(std::string_view ip) const;
  // Whether an AE title is one of the known ones (true when none are listed).
  bool known_ae(std::string_view ae) const;
  bool rule_enabled(std::string_view rule) const;
  // The allow entry that silences (rule, src, dst), or null.
  const Allow* allowed(std::string_view rule, std::string_view src, std::string_view dst) const;
};

// RFC 1918, 169.254/16, fc00::/7, fe80::/10, default thresholds.
Config default_config();
// Reads a file; throws ConfigError ("FILE:LINE: what"). Unknown keys and
// tables are errors (a misspelt threshold must not silently stay default).
Config load_config(const std::string& path);
// Every rule name the configuration may refer to.
const std::vector<std::string>& rule_names();

}  // namespace ms::detect
