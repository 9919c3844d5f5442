// Risk scoring (risk.h). The score is 100 x weight x (0.6 V + 0.4 E) / 10,
// V the vulnerability points (CVSS, KEV, ransomware, EPSS) and E the
// exposure points (each capped at 10):
// a weighted sum where a known exploited, critical vulnerability on an
// infusion pump tops the list and a printer with a cleartext page trails it.
// The seed's step four orders the HIPAA risk analysis top risk first; the
// levels (high >= 50, medium >= 25) split that list.
#include "exposure/risk.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/json_reader.h"
#include "exposure/json_lists.h"

namespace ms::exposure {

namespace {

constexpr size_t kRecordMaxValues = 500'000;

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// V: the worst affected vulnerability's CVSS (possibly affected counts 0.6
// of it), +3 when CISA lists one as exploited, +1 for ransomware use.
double vulnerability_points(const RiskInput& in, const KevCatalog& kev, const EpssTable& epss, DeviceRisk& r,
                            std::string& remedy) {
  double worst = 0, likely = 0;
  std::string likely_cve;
  std::string worst_text;
  bool exploited = false, ransomware = false;
  for (const Link& l : in.links) {
    for (const VulnLink& v : l.vulns) {
      if (v.status == Status::kNotAffected || v.status == Status::kFixed) {
        if (!v.justification.empty()) r.factors.push_back({"vex", v.cve + " " + v.justification, 0});
        continue;
      }
      double w = v.status == Status::kAffected ? 1.0 : 0.6;
      if (v.cvss * w > worst) {
        worst = v.cvss * w;
        worst_text = v.cve + " CVSS " + num(v.cvss) + (w < 1 ? " (possibly affected: counted 0.6)" : "");
        remedy = l.remediations.empty() ? "" : l.remediations.front();
      }
      auto e = epss.by_cve.find(v.cve);
      if (e != epss.by_cve.end() && e->second.probability > likely) {
        likely = e->second.probability;
        likely_cve = v.cve + " EPSS " + num(100 * e->second.probability) + "% (percentile " + num(100 * e->second.percentile) + ")";
      }
      auto k = kev.by_cve.find(v.cve);
      if (k != kev.by_cve.end() && v.status != Status::kUnderInvestigation) {
        if (!exploited) r.factors.push_back({"kev", v.cve + " known exploited (CISA KEV, added " + k->second.date_added + ")", 3});
        exploited = true;
        if (k->second.ransomware && !ransomware) r.factors.push_back({"ransomware", v.cve + " used by ransomware campaigns", 1});
        ransomware |= k->second.ransomware;
      }
    }
    if (l.status != Status::kNotAffected && l.status != Status::kFixed)
      r.factors.push_back({"advisory", l.advisory + " " + status_name(l.status) + " (max CVSS " + num(l.max_cvss()) + ")", 0});
  }
  if (worst > 0) r.factors.push_back({"cvss", "worst vulnerability " + worst_text, worst});
  // EPSS: the chance of exploitation in the next 30 days (FIRST).
  double e = likely >= 0.1 ? 2 : likely >= 0.01 ? 1 : 0;
  if (!likely_cve.empty()) r.factors.push_back({"epss", likely_cve + (epss.model.empty() ? "" : ", model " + epss.model), e});
  return std::min(10.0, worst + (exploited ? 3 : 0) + (ransomware ? 1 : 0) + e);
}

// E: what the inventory saw the device expose.
double exposure_points(const JsonValue& rec, DeviceRisk& r) {
  double e = 0;
  auto add = [&](const char* kind, const std::string& detail, double p) {
    r.factors.push_back({kind, detail, p});
    e += p;
  };
  const JsonValue* x = rec.get("exposure");
  std::vector<std::string> defaults = json_strings(x ? x->get("default_credentials") : nullptr);
  if (!defaults.empty()) add("default_credentials", "vendor default login accepted: " + join_list(defaults), 4);
  std::vector<std::string> logins = json_strings(x ? x->get("cleartext_logins") : nullptr);
  if (!logins.empty()) add("cleartext_login", "logins in clear: " + join_list(logins), 2);
  std::vector<std::string> smb = json_strings(x ? x->get("smb_dialects") : nullptr);
  if (std::find(smb.begin(), smb.end(), "SMB1") != smb.end() || std::find(smb.begin(), smb.end(), "NT LM 0.12") != smb.end())
    add("smb1", "SMB1 spoken (EternalBlue class)", 2);
  std::vector<std::string> weak = json_strings(x ? x->get("tls_weak") : nullptr);
  if (!weak.empty()) add("weak_tls", "weak TLS: " + join_list(weak), 1);
  const JsonValue* services = rec.get("services");
  std::vector<std::string> clear;
  if (services && services->type == JsonValue::kArray) {
    for (const JsonValue& s : services->items) {
      if (json_str(&s, "security") == "cleartext" && clear.size() < 8)
        clear.push_back(std::string(json_str(&s, "app")) + "/" + (s.get("port") ? s.get("port")->text : "?"));
    }
  }
  if (!clear.empty()) add("cleartext_service", "cleartext services: " + join_list(clear), std::min<double>(3, static_cast<double>(clear.size())));
  const JsonValue* eol = rec.get("os_eol");
  if (eol && eol->type == JsonValue::kObject)
    add("end_of_life", std::string(json_str(eol, "os")) + " past support since " + std::string(json_str(eol, "end_of_support")) +
                           " (" + std::string(json_str(eol, "source")) + ")", 3);
  const JsonValue* phi = rec.get("phi");
  std::vector<std::string> phi_protocols = json_strings(phi ? phi->get("protocols") : nullptr);
  if (json_true(phi, "handles") && !phi_protocols.empty())
    add("phi", "patient data on the wire: " + join_list(phi_protocols), 2);
  return std::min(10.0, e);
}

// An advisory that calls the product end-of-life ("<= 2.01 (end-of-life Nov
// 2017)", "* (end-of-life 2011)") when the inventory's OS said nothing.
double advisory_end_of_life(const RiskInput& in, DeviceRisk& r) {
  if (std::any_of(r.factors.begin(), r.factors.end(), [](const RiskFactor& f) { return f.kind == "end_of_life"; })) return 0;
  for (const Link& l : in.links) {
    if (l.status == Status::kNotAffected || l.status == Status::kFixed) continue;
    std::string s;
    for (char c : l.spec) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s.find("end-of-life") == std::string::npos && s.find("end of life") == std::string::npos && s.find("unsupported") == std::string::npos)
      continue;
    r.factors.push_back({"end_of_life", l.advisory + " says " + l.product + " is past support: " + l.spec, 3});
    return 3;
  }
  return 0;
}

std::string next_action(const DeviceRisk& r, const RiskInput& in, const std::string& remedy) {
  auto has = [&](const char* k) {
    return std::any_of(r.factors.begin(), r.factors.end(), [&](const RiskFactor& f) { return f.kind == k && f.points > 0; });
  };
  std::string maker = in.id.manufacturer.empty() ? "the maker" : in.id.manufacturer;
  if (has("kev") || has("cvss")) return "apply the vendor's remediation (contact " + maker + "): " + remedy.substr(0, 200);
  if (has("default_credentials")) return "change the vendor default password; restrict who can reach the login";
  if (has("end_of_life")) return "plan replacement; isolate it on its own segment meanwhile";
  bool possibly = std::any_of(in.links.begin(), in.links.end(), [](const Link& l) { return l.status == Status::kPossiblyAffected; });
  if (possibly) return "establish the firmware version (device menu or " + maker + ") to settle 'possibly affected'";
  if (has("cleartext_login") || has("cleartext_service")) return "move its logins and services to encrypted protocols or restrict them to management hosts";
  return "keep monitoring";
}

}  // namespace

double clinical_weight(const std::string& type) {
  static const std::pair<const char*, double> w[] = {
      {"infusion pump", 1.0}, {"ventilator", 1.0}, {"anesthesia machine", 1.0}, {"patient monitor", 0.95},
      {"CT", 0.85}, {"MR", 0.85}, {"X-ray/DR/CR", 0.85}, {"ultrasound", 0.8}, {"nuclear medicine", 0.85},
      {"medication cabinet", 0.8}, {"lab analyzer", 0.75}, {"PACS/archive", 0.75}, {"imaging workstation", 0.7},
      {"HL7/interface engine", 0.75}, {"EHR/clinical server", 0.75}, {"medical device server", 0.8}, {"nurse call", 0.7},
      {"general workstation/server", 0.5}, {"network infrastructure", 0.55}, {"printer", 0.3}};
  for (const auto& [t, v] : w) {
    if (type == t) return v;
  }
  return 0.5;
}

DeviceRisk assess_risk(const RiskInput& in, const KevCatalog& kev, const EpssTable& epss) {
  DeviceRisk r;
  r.device = in.id.id;
  r.ip = in.id.ip;
  r.name = in.id.manufacturer + (in.id.model.empty() ? "" : " " + in.id.model);
  r.type = in.id.type;
  r.clinical_weight = clinical_weight(in.id.type);
  std::string remedy;
  double v = vulnerability_points(in, kev, epss, r, remedy);
  JsonValue rec;
  double e = 0;
  if (!in.record_json.empty() && !parse_json(in.record_json, rec, kRecordMaxValues)) e = exposure_points(rec, r);
  e = std::min(10.0, e + advisory_end_of_life(in, r));
  r.factors.push_back({"clinical_role", (in.id.type.empty() ? std::string("unknown type") : in.id.type) + " weighs " + num(r.clinical_weight), 0});
  r.score = static_cast<int>(100 * r.clinical_weight * (0.6 * v + 0.4 * e) / 10 + 0.5);
  r.level = r.score >= 50 ? "high" : r.score >= 25 ? "medium" : "low";
  r.next_action = next_action(r, in, remedy);
  std::stable_sort(r.factors.begin(), r.factors.end(), [](const RiskFactor& a, const RiskFactor& b) { return a.points > b.points; });
  return r;
}

}  // namespace ms::exposure
