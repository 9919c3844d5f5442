// OpenVEX and CSAF VEX reading (openvex_reader.h).
#include "exposure/openvex/openvex_reader.h"

#include <algorithm>

#include "common/json_reader.h"
#include "exposure/csaf/csaf_reader.h"

namespace ms::exposure {

namespace {

using J = JsonValue;
constexpr size_t kText = 4096;

std::string cut(std::string_view s) { return std::string(s.substr(0, kText)); }

std::string cdx_state(std::string_view status) {
  if (status == "not_affected") return "not_affected";
  if (status == "fixed") return "resolved";
  if (status == "affected") return "exploitable";
  if (status == "under_investigation") return "in_triage";
  return "";
}

void product_ids(const J& p, std::vector<std::string>& out) {
  if (out.size() >= 256) return;
  if (p.type == J::kString) {
    out.push_back(cut(p.text));
    return;
  }
  std::string_view id = json_str(&p, "@id");
  if (!id.empty()) out.push_back(cut(id));
  const J* ids = p.get("identifiers");  // v0.2.0: purl, cpe22, cpe23
  if (ids && ids->type == J::kObject) {
    for (const J& v : ids->items) {
      if (v.type == J::kString && out.size() < 256) out.push_back(cut(v.text));
    }
  }
  const J* subs = p.get("subcomponents");
  if (subs && subs->type == J::kArray) {
    for (const J& s : subs->items) {
      std::string_view sid = json_str(&s, "@id");
      if (!sid.empty() && out.size() < 256) out.push_back(cut(sid));
    }
  }
}

}  // namespace

const char* parse_openvex(std::string_view text, CdxBom& out) {
  out = CdxBom{};
  if (text.size() > kCdxMaxBytes) return "openvex.too_large";
  JsonValue root;
  if (const char* err = parse_json(text, root)) return err;
  if (json_str(&root, "@context").find("openvex") == std::string_view::npos) return "openvex.not_openvex";
  out.spec_version = cut(json_str(&root, "@context"));
  out.serial = cut(json_str(&root, "@id"));
  const J* st = root.get("statements");
  if (!st || st->type != J::kArray) return "openvex.no_statements";
  for (const J& s : st->items) {
    if (s.type != J::kObject || out.vulns.size() >= kCdxMaxVulns) continue;
    CdxVuln v;
    const J* vul = s.get("vulnerability");
    v.id = cut(vul && vul->type == J::kString ? std::string_view(vul->text) : json_str(vul, "name"));
    v.state = cdx_state(json_str(&s, "status"));
    v.justification = cut(json_str(&s, "justification"));
    std::string_view impact = json_str(&s, "impact_statement"), action = json_str(&s, "action_statement");
    v.detail = cut(!impact.empty() ? impact : action);
    if (!action.empty()) v.responses.push_back(cut(action));
    const J* products = s.get("products");
    if (products && products->type == J::kArray) {
      for (const J& p : products->items) product_ids(p, v.affects);
    }
    if (!v.id.empty() && !v.state.empty()) out.vulns.push_back(std::move(v));
  }
  return nullptr;
}

const char* parse_csaf_vex(std::string_view text, CdxBom& out) {
  out = CdxBom{};
  CsafDoc doc;
  if (const char* err = parse_csaf(text, doc)) return err;
  if (doc.category != "csaf_vex") return "csaf.not_vex";
  out.spec_version = "csaf " + doc.csaf_version;
  out.serial = doc.id;
  for (const CsafVuln& v : doc.vulns) {
    auto add = [&](const std::vector<std::string>& ids, const char* state) {
      for (const std::string& pid : ids) {
        const CsafProduct* p = doc.product(pid);
        if (!p || out.vulns.size() >= kCdxMaxVulns) continue;
        CdxVuln x;
        x.id = v.cve;
        x.state = state;
        for (const CsafRemediation& t : v.threats) {
          if (t.category == "impact" && std::find(t.products.begin(), t.products.end(), pid) != t.products.end()) x.detail = t.details;
        }
        x.affects = p->purls;
        x.affects.insert(x.affects.end(), p->cpes.begin(), p->cpes.end());
        x.affects.push_back(p->name);
        out.vulns.push_back(std::move(x));
      }
    };
    add(v.known_not_affected, "not_affected");
    add(v.fixed, "resolved");
    add(v.known_affected, "exploitable");
    add(v.under_investigation, "in_triage");
  }
  return nullptr;
}

const char* parse_any_vex(std::string_view text, CdxBom& out) {
  if (!parse_cyclonedx(text, out)) return nullptr;
  if (!parse_openvex(text, out)) return nullptr;
  return parse_csaf_vex(text, out);
}

}  // namespace ms::exposure
