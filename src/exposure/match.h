// Devices against advisories: which advisory entries name a device
// (product_match.h), whether its version is inside the entry's versions
// (version.h), and what each vulnerability's product status then says.
// An unknown version, or a condition a network cannot see, gives "possibly
// affected", never silence; a known version outside every entry of the
// product gives no link.
#pragma once

#include <string>
#include <vector>

#include "exposure/csaf/csaf_reader.h"
#include "exposure/product_match.h"

namespace ms::exposure {

enum class Status : unsigned char { kAffected, kPossiblyAffected, kUnderInvestigation, kFixed, kNotAffected };
const char* status_name(Status s);

struct VulnLink {
  std::string cve, title, cvss_vector, severity;
  double cvss = 0;
  Status status = Status::kAffected;
  std::string justification;  // a VEX statement's, when one decided the status
};

struct Link {
  std::string device, advisory, advisory_title, source;  // source: file or SBOM the link came from
  std::string product_id, product, version_text, spec;   // the entry that matched, and how it was read
  Status status = Status::kAffected;
  double confidence = 0;
  std::string evidence;  // which fields matched, which version was compared
  std::vector<VulnLink> vulns;
  std::vector<std::string> remediations;  // "category: details" of the entries' remediations
  double max_cvss() const;
};

// A document with every entry's version text read once, for matching many
// devices (the regexes of the version reader then run once per entry).
struct PreparedDoc {
  const CsafDoc* doc = nullptr;
  std::vector<VersionSpec> specs;  // parallel to doc->products
};
PreparedDoc prepare(const CsafDoc& doc);

// The links of one advisory for one device (none, or one per matched product
// name with the best entry for the device's version).
std::vector<Link> match_device(const PreparedDoc& doc, const DeviceIdentity& d);
std::vector<Link> match_device(const CsafDoc& doc, const DeviceIdentity& d);

// How many product entries of a document have a version text that could not
// be read (VersionSpec::kUnknown); `unknown` gets their texts.
size_t uninterpreted_entries(const CsafDoc& doc, std::vector<std::string>* unknown = nullptr);

}  // namespace ms::exposure
