// `medsentry alerts` (the alerts of the inventory database) and
// `medsentry evidence` (an alert's packets, cut out of its capture).
#pragma once

#include <string>
#include <vector>

namespace ms {

struct AlertsOptions {
  std::string db_path;  // empty: inv::default_db_path()
  std::string format = "table";
  std::string min_severity = "info";
  std::string rule;
};

int run_alerts(const AlertsOptions& opt);

struct EvidenceOptions {
  std::string db_path;
  std::string alert_id;
  std::string out;                    // empty: alert-ID.pcap
  std::vector<std::string> captures;  // empty: the files the alert came from
};

int run_evidence(const EvidenceOptions& opt);

}  // namespace ms
