// SBOM and VEX attachment and application (sbom_vex.h). VEX states are
// CycloneDX's impactAnalysisState (1.4+): resolved, resolved_with_pedigree,
// exploitable, in_triage, false_positive, not_affected.
#include "exposure/sbom_vex.h"

#include <algorithm>
#include <cctype>

#include "exposure/product_match.h"
#include "exposure/version.h"

namespace ms::exposure {

namespace {

std::string squash(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return o;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size() && out.size() < 8) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool state_status(const std::string& state, Status& s) {
  if (state == "not_affected" || state == "false_positive") s = Status::kNotAffected;
  else if (state == "resolved" || state == "resolved_with_pedigree") s = Status::kFixed;
  else if (state == "exploitable") s = Status::kAffected;
  else if (state == "in_triage") s = Status::kUnderInvestigation;
  else return false;
  return true;
}

std::string statement(const CdxVuln& v) {
  std::string s = v.state;
  if (!v.justification.empty()) s += " (" + v.justification + ")";
  for (const std::string& r : v.responses) s += (r == v.responses.front() ? "; response: " : ", ") + r;
  if (!v.detail.empty()) s += ": " + v.detail;
  return s;
}

}  // namespace

bool parse_selector(const std::string& text, DeviceSelector& out) {
  std::vector<std::string> p = split(text, ';');
  if (p.size() < 2 || p.size() > 3 || p[1].empty()) return false;
  out = {p[0], p[1], p.size() == 3 ? p[2] : ""};
  return true;
}

DeviceSelector selector_of(const CdxBom& bom) {
  return {bom.subject.manufacturer, bom.subject.name, bom.subject.version};
}

bool selects(const DeviceSelector& s, const DeviceIdentity& d) {
  if (s.model.empty() || squash(s.model) != squash(d.model)) return false;
  if (!s.manufacturer.empty() && !vendor_matches(s.manufacturer, d.manufacturer.empty() ? d.mac_vendor : d.manufacturer))
    return false;
  if (s.version.empty()) return true;
  std::string v = normalize_version(d.version);
  return !v.empty() && compare_versions(v, normalize_version(s.version)) == 0;
}

std::vector<Link> bom_links(const AttachedBom& b, const std::vector<CsafDoc>& docs, const DeviceIdentity& d) {
  std::vector<Link> out;
  for (const CsafDoc& doc : docs) {
    for (const CsafProduct& p : doc.products) {
      if (p.cpes.empty() && p.purls.empty()) continue;
      for (const CdxComponent& c : b.bom.components) {
        bool cpe = !c.cpe.empty() && std::find(p.cpes.begin(), p.cpes.end(), c.cpe) != p.cpes.end();
        bool purl = !c.purl.empty() && std::find(p.purls.begin(), p.purls.end(), c.purl) != p.purls.end();
        if (!cpe && !purl) continue;
        Link k;
        k.device = d.id;
        k.advisory = doc.id;
        k.advisory_title = doc.title;
        k.source = b.path;
        k.product_id = p.id;
        k.product = p.name;
        k.version_text = p.version;
        k.confidence = 0.95;
        k.evidence = "SBOM " + b.path + " component '" + c.name + " " + c.version + "' " + (cpe ? "cpe " + c.cpe : "purl " + c.purl);
        for (const CsafVuln& v : doc.vulns) {
          bool named = std::find(v.known_affected.begin(), v.known_affected.end(), p.id) != v.known_affected.end();
          if (named) k.vulns.push_back({v.cve, v.title, "", "", 0, Status::kAffected, ""});
        }
        if (!k.vulns.empty()) out.push_back(std::move(k));
      }
    }
  }
  // A VDR: the document's own vulnerabilities.
  Link own;
  own.device = d.id;
  own.advisory = b.bom.serial.empty() ? b.path : b.bom.serial;
  own.advisory_title = "vulnerabilities of " + b.bom.subject.name + " " + b.bom.subject.version + " (" + b.path + ")";
  own.source = b.path;
  own.product = b.bom.subject.name;
  own.version_text = b.bom.subject.version;
  own.confidence = 0.9;
  own.evidence = "the document's subject '" + b.who.manufacturer + " " + b.who.model + " " + b.who.version +
                 "' is this device ('" + d.manufacturer + " " + d.model + " " + d.version + "')";
  for (const CdxVuln& v : b.bom.vulns) {
    Status s = Status::kAffected;
    if (!v.state.empty() && !state_status(v.state, s)) continue;
    own.vulns.push_back({v.id, "", v.vector, "", v.score, s, v.state.empty() ? "" : statement(v)});
  }
  if (!own.vulns.empty()) {
    own.status = Status::kNotAffected;
    for (const VulnLink& v : own.vulns) own.status = std::min(own.status, v.status);
    out.push_back(std::move(own));
  }
  return out;
}

namespace {

// A statement's affects refs name an SBOM attached to the device (BOM-Link),
// or a component of one by purl or cpe (OpenVEX, CSAF VEX).
bool refers_to(const CdxVuln& v, const std::vector<const AttachedBom*>& sboms) {
  for (const AttachedBom* s : sboms) {
    for (const std::string& ref : v.affects) {
      if (ref.empty()) continue;
      if (ref == s->bom.subject.purl || ref == s->bom.subject.cpe) return true;
      for (const CdxComponent& c : s->bom.components) {
        if (ref == c.purl || ref == c.cpe) return true;
      }
    }
    std::string serial = s->bom.serial;
    if (serial.rfind("urn:uuid:", 0) == 0) serial = serial.substr(9);
    if (serial.empty()) continue;
    std::string link = "urn:cdx:" + serial + "/";
    for (const std::string& ref : v.affects) {
      if (ref.rfind(link, 0) == 0) return true;
    }
  }
  return false;
}

}  // namespace

bool vex_applies(const AttachedBom& vex, const DeviceIdentity& d, const std::vector<const AttachedBom*>& sboms) {
  if (selects(vex.who, d)) return true;
  return std::any_of(vex.bom.vulns.begin(), vex.bom.vulns.end(), [&](const CdxVuln& v) { return refers_to(v, sboms); });
}

size_t apply_vex(const AttachedBom& vex, const DeviceIdentity& d, const std::vector<const AttachedBom*>& sboms,
                 std::vector<Link>& links) {
  bool named = selects(vex.who, d);
  size_t n = 0;
  for (Link& l : links) {
    if (l.device != d.id || l.source == vex.path) continue;
    for (VulnLink& v : l.vulns) {
      for (const CdxVuln& x : vex.bom.vulns) {
        Status s;
        if (x.id != v.cve || !state_status(x.state, s) || !(named || refers_to(x, sboms))) continue;
        v.status = s;
        v.justification = "VEX " + vex.path + ": " + statement(x);
        ++n;
      }
    }
    l.status = Status::kNotAffected;
    for (const VulnLink& v : l.vulns) l.status = std::min(l.status, v.status);
  }
  return n;
}

}  // namespace ms::exposure
