// `medsentry exposure` output (exposure_output.h). Advisory and device texts
// are hostile (a vendor's or an attacker's): JSON escapes them, the table
// replaces control characters, CSV quotes and defuses formulas.
#include "app/exposure_output.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "app/table.h"
#include "common/json_writer.h"

namespace ms {

namespace {

using namespace exposure;

std::string csv(const std::string& v) {
  std::string s = v;
  if (!s.empty() && std::string_view("=+-@").find(s[0]) != std::string_view::npos) s = "'" + s;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string fixed1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

void write_link(JsonWriter& w, const Link& l) {
  w.begin_object();
  w.kv("advisory", l.advisory).kv("title", l.advisory_title).kv("status", status_name(l.status));
  w.kv("product", l.product).kv("product_id", l.product_id).kv("version_text", l.version_text).kv("version_spec", l.spec);
  w.kv("confidence", l.confidence).kv("max_cvss", l.max_cvss()).kv("evidence", l.evidence);
  if (!l.source.empty()) w.kv("source", l.source);
  w.key("vulnerabilities").begin_array();
  for (const VulnLink& v : l.vulns) {
    w.begin_object().kv("id", v.cve).kv("status", status_name(v.status)).kv("cvss", v.cvss);
    if (!v.cvss_vector.empty()) w.kv("cvss_vector", v.cvss_vector);
    if (!v.justification.empty()) w.kv("statement", v.justification);
    w.end_object();
  }
  w.end_array();
  w.key("remediations").begin_array();
  for (const std::string& r : l.remediations) w.value(r);
  w.end_array();
  w.end_object();
}

// Most exposed first: status, then the highest score.
bool before(const Link& a, const Link& b) {
  if (a.status != b.status) return a.status < b.status;
  if (a.max_cvss() != b.max_cvss()) return a.max_cvss() > b.max_cvss();
  return std::tie(a.device, a.advisory) < std::tie(b.device, b.advisory);
}

void print_json(std::ostream& os, const std::vector<DeviceIdentity>& devices, const std::vector<Link>& links,
                const std::vector<Mds2Discrepancy>& mds2) {
  std::map<std::string, std::vector<const Link*>> by_device;
  for (const Link& l : links) by_device[l.device].push_back(&l);
  std::map<std::string, std::vector<const Mds2Discrepancy*>> found;
  for (const Mds2Discrepancy& m : mds2) found[m.device].push_back(&m);
  std::string out = "[";
  bool first = true;
  for (const DeviceIdentity& d : devices) {
    out += first ? "\n" : ",\n";
    first = false;
    JsonWriter w(out);
    w.begin_object().kv("device", d.id).kv("ip", d.ip).kv("manufacturer", d.manufacturer).kv("model", d.model);
    w.kv("version", d.version).kv("type", d.type).kv("hostname", d.hostname);
    w.key("exposures").begin_array();
    for (const Link* l : by_device[d.id]) write_link(w, *l);
    w.end_array();
    w.key("mds2").begin_array();
    for (const Mds2Discrepancy* m : found[d.id]) {
      w.begin_object().kv("question", m->question).kv("declared", m->declared).kv("observed", m->observed);
      w.kv("evidence", m->evidence).kv("kind", m->kind).kv("form", m->form).end_object();
    }
    w.end_array().end_object();
  }
  out += first ? "]\n" : "\n]\n";
  os << out;
}

void print_csv(std::ostream& os, const std::vector<DeviceIdentity>& devices, const std::vector<Link>& links) {
  std::map<std::string, const DeviceIdentity*> dev;
  for (const DeviceIdentity& d : devices) dev[d.id] = &d;
  os << "device,ip,manufacturer,model,version,advisory,vulnerability,status,cvss,product,version_text,confidence,evidence\n";
  for (const Link& l : links) {
    const DeviceIdentity* d = dev[l.device];
    for (const VulnLink& v : l.vulns) {
      os << csv(l.device) << ',' << csv(d ? d->ip : "") << ',' << csv(d ? d->manufacturer : "") << ','
         << csv(d ? d->model : "") << ',' << csv(d ? d->version : "") << ',' << csv(l.advisory) << ',' << csv(v.cve) << ','
         << status_name(v.status) << ',' << fixed1(v.cvss) << ',' << csv(l.product) << ',' << csv(l.version_text) << ','
         << fixed1(l.confidence) << ',' << csv(l.evidence) << "\n";
    }
  }
}

void print_text(std::ostream& os, const std::vector<DeviceIdentity>& devices, const std::vector<Link>& links) {
  std::map<std::string, const DeviceIdentity*> dev;
  for (const DeviceIdentity& d : devices) dev[d.id] = &d;
  const char* heads[] = {"IP", "DEVICE", "VERSION", "ADVISORY", "STATUS", "CVSS", "VULNS", "CONF", "WHY"};
  std::vector<std::vector<std::string>> rows;
  std::map<Status, size_t> count;
  std::map<std::string, bool> linked;
  size_t suppressed = 0;
  for (const Link& l : links) {
    const DeviceIdentity* d = dev[l.device];
    std::string name = d ? d->manufacturer + " " + d->model : l.device;
    rows.push_back({d ? d->ip : "", printable(name), printable(d ? d->version : ""), printable(l.advisory),
                    status_name(l.status), fixed1(l.max_cvss()), std::to_string(l.vulns.size()), fixed1(l.confidence),
                    printable(l.evidence)});
    ++count[l.status];
    linked[l.device] = true;
    for (const VulnLink& v : l.vulns) suppressed += v.status == Status::kNotAffected && !v.justification.empty();
  }
  print_table(os, std::vector<std::string>(std::begin(heads), std::end(heads)), std::move(rows), 60);
  os << devices.size() << " devices, " << linked.size() << " linked to advisories: " << count[Status::kAffected]
     << " affected, " << count[Status::kPossiblyAffected] << " possibly affected, " << count[Status::kUnderInvestigation]
     << " under investigation, " << count[Status::kFixed] << " fixed, " << count[Status::kNotAffected]
     << " not affected; " << suppressed << " vulnerabilities not affected by a VEX statement\n";
}

// What MDS2 forms declare against what the devices were seen doing.
void print_mds2(std::ostream& os, const std::vector<DeviceIdentity>& devices, const std::vector<Mds2Discrepancy>& mds2) {
  if (mds2.empty()) return;
  std::map<std::string, const DeviceIdentity*> dev;
  for (const DeviceIdentity& d : devices) dev[d.id] = &d;
  std::vector<std::vector<std::string>> rows;
  for (const Mds2Discrepancy& m : mds2) {
    const DeviceIdentity* d = dev[m.device];
    rows.push_back({d ? d->ip : "", printable(d ? d->manufacturer + " " + d->model : m.device), m.question, printable(m.declared),
                    printable(m.observed), m.kind});
  }
  os << "\nMDS2 discrepancies (the maker's form against the network):\n";
  print_table(os, {"IP", "DEVICE", "QUESTION", "DECLARED", "OBSERVED", "KIND"}, std::move(rows), 60);
  os << mds2.size() << " MDS2 discrepancies\n";
}

}  // namespace

void print_exposure(std::ostream& os, const std::string& format, const std::vector<DeviceIdentity>& devices,
                    std::vector<Link> links, const std::vector<Mds2Discrepancy>& mds2) {
  std::stable_sort(links.begin(), links.end(), before);
  if (format == "json") {
    print_json(os, devices, links, mds2);
  } else if (format == "csv") {
    print_csv(os, devices, links);
  } else {
    print_text(os, devices, links);
    print_mds2(os, devices, mds2);
  }
}

}  // namespace ms
