// Devices against one advisory (match.h).
#include "exposure/match.h"

#include <algorithm>
#include <map>

namespace ms::exposure {

const char* status_name(Status s) {
  switch (s) {
    case Status::kAffected: return "affected";
    case Status::kPossiblyAffected: return "possibly_affected";
    case Status::kUnderInvestigation: return "under_investigation";
    case Status::kFixed: return "fixed";
    case Status::kNotAffected: return "not_affected";
  }
  return "affected";
}

double Link::max_cvss() const {
  double m = 0;
  for (const VulnLink& v : vulns) m = std::max(m, v.cvss);
  return m;
}

namespace {

enum Verdict { kIn, kOut, kMaybe };

struct Candidate {
  const CsafProduct* p = nullptr;
  VersionSpec spec;
  ProductMatch pm;
  Verdict verdict = kMaybe;
  std::string why;  // the version comparison, for the evidence
};

bool listed(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// §3.2.3.9: what a vulnerability says of one product id; false: not named.
bool status_of(const CsafVuln& v, const std::string& pid, Status& s) {
  if (listed(v.known_not_affected, pid)) s = Status::kNotAffected;
  else if (listed(v.fixed, pid) || listed(v.first_fixed, pid)) s = Status::kFixed;
  else if (listed(v.under_investigation, pid)) s = Status::kUnderInvestigation;
  else if (listed(v.known_affected, pid) || listed(v.first_affected, pid) || listed(v.last_affected, pid))
    s = Status::kAffected;
  else return false;
  return true;
}

// The last word of a product name when it is a version with a wildcard or
// dots ("8.0.x", "7.0"), else "".
std::string name_version(const std::string& product) {
  size_t sp = product.find_last_of(' ');
  std::string w = sp == std::string::npos ? "" : product.substr(sp + 1);
  if (w.size() < 3 || w.size() > 16 || w.find('.') == std::string::npos) return "";
  for (char ch : w) {
    if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == 'x' || ch == 'X')) return "";
  }
  return (w[0] >= '0' && w[0] <= '9') ? w : "";
}

VersionSpec spec_of(const CsafProduct& p) {
  return p.version.empty() ? VersionSpec{VersionSpec::kAll, {}, {}, "no version given"} : parse_version_spec(p.version);
}

Candidate judge(const CsafProduct& p, const VersionSpec& spec, const DeviceIdentity& d) {
  Candidate c;
  c.p = &p;
  c.pm = match_product(p, spec, d);
  if (!c.pm.matched) return c;
  c.spec = spec;
  std::string v = normalize_version(d.version);
  switch (c.spec.kind) {
    case VersionSpec::kAll:
    case VersionSpec::kModels: {
      // A version in the product's name ("IntelliSpace Portal 8.0.x") still restricts.
      std::string named = name_version(p.product);
      if (!named.empty() && v.empty()) {
        c.why = "version unknown; the product's name says '" + named + "'";
      } else if (!named.empty()) {
        c.verdict = compare_versions(v, named) == 0 ? kIn : kOut;
        c.why = "version '" + d.version + "' " + (c.verdict == kIn ? "in" : "not in") + " the product's '" + named + "'";
      } else {
        c.verdict = kIn;
        c.why = "every version of the entry ('" + p.version + "')";
      }
      break;
    }
    case VersionSpec::kCondition:
      c.why = "the entry's condition is not observable: " + c.spec.note;
      break;
    case VersionSpec::kUnknown:
      c.why = "the entry's version text is not understood: '" + p.version + "'";
      break;
    case VersionSpec::kRange:
      if (v.empty()) {
        c.why = "version unknown; the entry says '" + p.version + "'";
      } else {
        c.verdict = contains(c.spec.constraints, v) ? kIn : kOut;
        c.why = "version '" + d.version + "' " + (c.verdict == kIn ? "in" : "not in") + " '" + p.version + "'";
      }
      break;
  }
  if (!c.spec.note.empty() && c.spec.kind != VersionSpec::kCondition) c.why += " (note: " + c.spec.note + ")";
  return c;
}

Link make_link(const CsafDoc& doc, const DeviceIdentity& d, const Candidate& c) {
  Link l;
  l.device = d.id;
  l.advisory = doc.id;
  l.advisory_title = doc.title;
  l.product_id = c.p->id;
  l.product = c.p->name.empty() ? c.p->product : c.p->name;
  l.version_text = c.p->version;
  l.spec = describe(c.spec);
  l.confidence = c.pm.confidence * (c.verdict == kIn ? 1.0 : 0.7);
  l.evidence = c.why + "; model '" + d.model + "': " + c.pm.how + "; manufacturer '" +
               (d.manufacturer.empty() ? d.mac_vendor : d.manufacturer) + "' is vendor '" + c.p->vendor + "'" +
               (d.observed.empty() ? "" : "; observed: " + d.observed);
  for (const CsafVuln& v : doc.vulns) {
    Status s;
    if (!status_of(v, c.p->id, s)) continue;
    if (s == Status::kAffected && c.verdict != kIn) s = Status::kPossiblyAffected;
    VulnLink vl{v.cve, v.title, "", "", 0, s, ""};
    for (const CsafScore& sc : v.scores) {
      if (!sc.products.empty() && !listed(sc.products, c.p->id)) continue;
      if (sc.base >= vl.cvss) {
        vl.cvss = sc.base;
        vl.cvss_vector = sc.vector;
        vl.severity = sc.severity;
      }
    }
    l.vulns.push_back(std::move(vl));
    for (const CsafRemediation& r : v.remediations) {
      if (!r.products.empty() && !listed(r.products, c.p->id)) continue;
      std::string t = r.category + ": " + r.details + (r.url.empty() ? "" : " " + r.url);
      if (l.remediations.size() < 12 && !listed(l.remediations, t)) l.remediations.push_back(t);
    }
  }
  l.status = Status::kNotAffected;
  for (const VulnLink& v : l.vulns) l.status = std::min(l.status, v.status);
  return l;
}

}  // namespace

PreparedDoc prepare(const CsafDoc& doc) {
  PreparedDoc p{&doc, {}};
  p.specs.reserve(doc.products.size());
  for (const CsafProduct& x : doc.products) p.specs.push_back(spec_of(x));
  return p;
}

std::vector<Link> match_device(const CsafDoc& doc, const DeviceIdentity& d) { return match_device(prepare(doc), d); }

std::vector<Link> match_device(const PreparedDoc& prepared, const DeviceIdentity& d) {
  const CsafDoc& doc = *prepared.doc;
  // Entries grouped by the product they name: the versions of one product
  // are alternatives (ICSMA-17-250-02A lists 1.1, 1.6 and 1.5 apart).
  std::map<std::string, std::vector<Candidate>> groups;
  for (size_t i = 0; i < doc.products.size() && i < prepared.specs.size(); ++i) {
    const CsafProduct& p = doc.products[i];
    Candidate c = judge(p, prepared.specs[i], d);
    if (c.pm.matched) groups[p.vendor + "\x1f" + (p.product.empty() ? p.name : p.product)].push_back(std::move(c));
  }
  // A model named by its words alone ("Revolution CT") names the product
  // whose name it covers best, not every longer name holding the same
  // words ("Revolution Discover CT").
  double best_cover = 0;
  for (const auto& g : groups) {
    for (const Candidate& c : g.second) best_cover = std::max(best_cover, c.pm.confidence < 0.7 ? c.pm.coverage : 0.0);
  }
  std::vector<Link> out;
  for (auto& [key, cands] : groups) {
    const Candidate* best = nullptr;
    for (const Candidate& c : cands) {
      if (c.verdict == kOut || (c.pm.confidence < 0.7 && c.pm.coverage < best_cover)) continue;
      if (!best || (c.verdict == kIn && best->verdict != kIn) ||
          (c.verdict == best->verdict && c.pm.confidence > best->pm.confidence))
        best = &c;
    }
    if (!best) continue;  // a known version outside every entry: not this advisory
    Candidate chosen = *best;
    if (chosen.verdict == kMaybe && cands.size() > 1) {
      // Version unknown: every entry of the product is a possibility.
      std::string all;
      for (const Candidate& c : cands) all += (all.empty() ? "'" : ", '") + c.p->version + "'";
      chosen.why = "version unknown; the entries say " + all;
    }
    Link l = make_link(doc, d, chosen);
    if (!l.vulns.empty()) out.push_back(std::move(l));
  }
  return out;
}

size_t uninterpreted_entries(const CsafDoc& doc, std::vector<std::string>* unknown) {
  size_t n = 0;
  for (const CsafProduct& p : doc.products) {
    if (p.version.empty() || parse_version_spec(p.version).kind != VersionSpec::kUnknown) continue;
    ++n;
    if (unknown) unknown->push_back(doc.id + ": " + p.version);
  }
  return n;
}

}  // namespace ms::exposure
