// The report's HTML (report_html.h). Sections follow the seed's step four:
// the risk analysis starts with the organisation's top weaknesses.
#include "exposure/report_html.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/json_reader.h"
#include "exposure/json_lists.h"

namespace ms::exposure {

namespace {

// Markup is added with raw() from literals only; every other string goes
// through text(), which escapes the five HTML specials and blanks controls.
class Html {
 public:
  Html& raw(const char* literal) {
    out_ += literal;
    return *this;
  }
  Html& text(std::string_view s) {
    for (char c : s.substr(0, 2000)) {
      switch (c) {
        case '&': out_ += "&amp;"; break;
        case '<': out_ += "&lt;"; break;
        case '>': out_ += "&gt;"; break;
        case '"': out_ += "&quot;"; break;
        case '\'': out_ += "&#39;"; break;
        default: out_ += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
      }
    }
    return *this;
  }
  Html& num(double v, const char* fmt = "%.1f") {
    char b[32];
    std::snprintf(b, sizeof b, fmt, v);
    out_ += b;
    return *this;
  }
  Html& cell(std::string_view s) { return raw("<td>").text(s).raw("</td>"); }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

constexpr const char* kStyle =
    // Printed (WeasyPrint): A4 with narrow margins, so the eight columns of the
    // ranked table fit the page; long words break rather than overflow it.
    "@page{size:A4;margin:1.2cm}@media print{body{margin:0}}"
    "body{font-family:'DejaVu Sans',sans-serif;font-size:10pt;margin:1.5cm}h1{font-size:18pt}h2{font-size:13pt;"
    "border-bottom:1px solid #999;margin-top:1.2em}table{border-collapse:collapse;width:100%;margin:.4em 0}"
    "th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top;overflow-wrap:break-word}th{background:#eee}"
    "@media print{th,td{font-size:8.5pt;padding:2px 3px}}"
    ".high{background:#f8d0d0}.medium{background:#fbe9c6}.low{background:#e4f2e4}.meta td{border:none}";

void ranked_table(Html& h, const ReportInput& in) {
  h.raw("<h2>1. Risks, top first</h2><table id=\"ranked\"><tr><th>Rank</th><th>Score</th><th>Level</th><th>Address</th>"
        "<th>Device</th><th>Type</th><th>Why</th><th>Next action</th></tr>");
  for (size_t i = 0; i < in.ranked.size(); ++i) {
    const DeviceRisk& r = in.ranked[i];
    std::string why;
    for (const RiskFactor& f : r.factors) {
      if (f.points > 0) why += (why.empty() ? "" : "; ") + f.detail;
    }
    h.raw("<tr class=\"").text(r.level).raw("\">").cell(std::to_string(i + 1)).cell(std::to_string(r.score)).cell(r.level);
    h.cell(r.ip).cell(r.name).cell(r.type).cell(why.empty() ? "nothing found" : why).cell(r.next_action).raw("</tr>");
  }
  h.raw("</table>");
}

// Highest score per device type, as horizontal bars (inline SVG).
void chart(Html& h, const ReportInput& in) {
  std::map<std::string, int> by_type;
  for (const DeviceRisk& r : in.ranked) {
    int& s = by_type[r.type.empty() ? "unknown" : r.type];
    s = std::max(s, r.score);
  }
  std::vector<std::pair<std::string, int>> rows(by_type.begin(), by_type.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (rows.size() > 20) rows.resize(20);
  h.raw("<h2>Risk by device type</h2><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"")
      .num(static_cast<double>(rows.size() * 22 + 10), "%.0f")
      .raw("\">");
  for (size_t i = 0; i < rows.size(); ++i) {
    double y = static_cast<double>(i * 22 + 5);
    const char* color = rows[i].second >= 50 ? "#c0392b" : rows[i].second >= 25 ? "#e69a28" : "#4f9a4f";
    h.raw("<text x=\"0\" y=\"").num(y + 14, "%.0f").raw("\" font-size=\"11\">").text(rows[i].first).raw("</text>");
    h.raw("<rect x=\"200\" y=\"").num(y, "%.0f").raw("\" height=\"16\" width=\"").num(rows[i].second * 4.0, "%.0f");
    h.raw("\" fill=\"").raw(color).raw("\"/><text x=\"").num(205 + rows[i].second * 4.0, "%.0f").raw("\" y=\"");
    h.num(y + 13, "%.0f").raw("\" font-size=\"10\">").num(rows[i].second, "%.0f").raw("</text>");
  }
  h.raw("</svg>");
}

void vulnerable(Html& h, const ReportInput& in, const std::map<std::string, const DeviceIdentity*>& dev) {
  h.raw("<h2>2. Vulnerable devices: contact the maker</h2><table><tr><th>Address</th><th>Device</th><th>Version</th>"
        "<th>Advisory</th><th>Status</th><th>Vulnerabilities</th><th>Maker's remediation</th></tr>");
  for (const Link& l : in.links) {
    if (l.status == Status::kNotAffected || l.status == Status::kFixed) continue;
    auto it = dev.find(l.device);
    const DeviceIdentity* d = it == dev.end() ? nullptr : it->second;
    std::string vulns;
    for (const VulnLink& v : l.vulns) vulns += (vulns.empty() ? "" : ", ") + v.cve + " (" + status_name(v.status) + ")";
    h.raw("<tr>").cell(d ? d->ip : "").cell(d ? d->manufacturer + " " + d->model : l.device).cell(d ? d->version : "");
    h.cell(l.advisory).cell(status_name(l.status)).cell(vulns).cell(l.remediations.empty() ? "" : l.remediations.front());
    h.raw("</tr>");
  }
  h.raw("</table>");
}

void per_record(Html& h, const ReportInput& in, const std::map<std::string, const DeviceIdentity*>& dev) {
  Html pw, eol, phi;
  for (const auto& [id, json] : in.records) {
    JsonValue rec;
    if (parse_json(json, rec, 500'000)) continue;
    auto it = dev.find(id);
    std::string ip = it == dev.end() ? "" : it->second->ip;
    std::string name = it == dev.end() ? id : it->second->manufacturer + " " + it->second->model;
    const JsonValue* x = rec.get("exposure");
    std::vector<std::string> def = json_strings(x ? x->get("default_credentials") : nullptr);
    std::vector<std::string> clear = json_strings(x ? x->get("cleartext_logins") : nullptr);
    if (!def.empty() || !clear.empty()) pw.raw("<tr>").cell(ip).cell(name).cell(join_list(def)).cell(join_list(clear)).raw("</tr>");
    const JsonValue* e = rec.get("os_eol");
    if (e && e->type == JsonValue::kObject)
      eol.raw("<tr>").cell(ip).cell(name).cell(json_str(e, "os")).cell(json_str(e, "end_of_support")).cell(json_str(e, "source")).raw("</tr>");
    const JsonValue* p = rec.get("phi");
    if (json_true(p, "handles")) {
      std::vector<std::string> tls = json_strings(x ? x->get("tls_versions") : nullptr);
      phi.raw("<tr>").cell(ip).cell(name).cell(join_list(json_strings(p->get("protocols")))).cell(join_list(json_strings(rec.get("roles"))));
      phi.cell(tls.empty() ? "none seen: in clear" : join_list(tls)).raw("</tr>");
    }
  }
  h.raw("<h2>3. Default and cleartext passwords</h2><table><tr><th>Address</th><th>Device</th><th>Vendor default accepted</th>"
        "<th>Logins in clear</th></tr>").raw(pw.str().c_str()).raw("</table>");
  h.raw("<h2>4. End-of-life systems: plan replacement, isolate meanwhile</h2><table><tr><th>Address</th><th>Device</th>"
        "<th>Operating system</th><th>End of support</th><th>Source</th></tr>").raw(eol.str().c_str()).raw("</table>");
  h.raw("<h2>5. Where patient data flows</h2><p>Devices that send, receive or store patient data, the protocols that "
        "carried it and the TLS versions they negotiated. Guidance: encrypt in transit with TLS 1.2+ and AES-128 or "
        "AES-256 (3DES is legacy).</p><table><tr><th>Address</th><th>Device</th><th>Protocols with patient data</th>"
        "<th>Roles</th><th>TLS</th></tr>").raw(phi.str().c_str()).raw("</table>");
}

// Each MDS2 discrepancy with both sides (docs/exposure.md "MDS2").
void mds2_table(Html& h, const ReportInput& in, const std::map<std::string, const DeviceIdentity*>& dev) {
  h.raw("<h2>6. What makers declare (MDS2) against what the network shows</h2><table><tr><th>Address</th><th>Device</th>"
        "<th>Question</th><th>Declared</th><th>Observed</th><th>Evidence</th></tr>");
  for (const Mds2Discrepancy& m : in.mds2) {
    auto d = dev.find(m.device);
    const DeviceIdentity* id = d == dev.end() ? nullptr : d->second;
    h.raw("<tr>").cell(id ? id->ip : "").cell(id ? id->manufacturer + " " + id->model : m.device).cell(m.question);
    h.cell(m.declared).cell(m.observed).cell(m.evidence).raw("</tr>");
  }
  h.raw("</table>");
}

}  // namespace

std::string render_report_html(const ReportInput& in) {
  Html h;
  std::map<std::string, const DeviceIdentity*> dev;
  for (const DeviceIdentity& d : in.devices) dev[d.id] = &d;
  h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>HIPAA security risk analysis</title><style>")
      .raw(kStyle)
      .raw("</style></head><body><h1>HIPAA security risk analysis: medical device network</h1><table class=\"meta\">");
  h.raw("<tr><td>Date</td><td>").text(in.generated).raw("</td></tr><tr><td>Scope</td><td>").num(static_cast<double>(in.devices.size()), "%.0f");
  h.raw(" devices seen on the monitored networks</td></tr><tr><td>Method</td><td>passive analysis of network captures "
        "(nothing sent to any device): ");
  h.text(join_list(in.captures)).raw("; ").num(static_cast<double>(in.advisories), "%.0f").raw(" CSAF advisories");
  if (!in.kev_version.empty()) h.raw("; CISA KEV catalog ").text(in.kev_version);
  h.raw("</td></tr><tr><td>Inventory</td><td>").text(in.database).raw("</td></tr></table>");
  size_t high = 0, medium = 0;
  for (const DeviceRisk& r : in.ranked) {
    high += r.level == "high";
    medium += r.level == "medium";
  }
  h.raw("<p>").num(static_cast<double>(high), "%.0f").raw(" high and ").num(static_cast<double>(medium), "%.0f");
  h.raw(" medium risks; the table starts with the top one.</p>");
  ranked_table(h, in);
  chart(h, in);
  vulnerable(h, in, dev);
  per_record(h, in, dev);
  mds2_table(h, in, dev);
  h.raw("</body></html>\n");
  return std::move(h.str());
}

}  // namespace ms::exposure
