// CSAF 2.0 reading (csaf_reader.h), on the bounded JSON reader of
// src/common with a cap of its own (kCsafMaxValues): the largest ICSMA
// advisory (icsma-18-058-02, 123 KB) holds 2,316 values, a provider's large
// VEX tens of thousands.
#include "exposure/csaf/csaf_reader.h"

#include <cstdlib>

#include "common/json_reader.h"

namespace ms::exposure {

const CsafProduct* CsafDoc::product(std::string_view pid) const {
  for (const CsafProduct& p : products) {
    if (p.id == pid) return &p;
  }
  return nullptr;
}

namespace {

using J = JsonValue;

std::string cut(std::string_view s) { return std::string(s.substr(0, kCsafMaxText)); }

void strings(const J* arr, std::vector<std::string>& out, size_t& dropped) {
  if (!arr || arr->type != J::kArray) return;
  for (const J& x : arr->items) {
    if (x.type != J::kString) continue;
    if (out.size() >= kCsafMaxIds) {
      ++dropped;
      continue;
    }
    out.push_back(cut(x.text));
  }
}

// §3.1.3.3 product_identification_helper.
void read_helper(const J* h, CsafProduct& p, size_t& dropped) {
  if (!h || h->type != J::kObject) return;
  std::string_view cpe = json_str(h, "cpe");
  if (!cpe.empty()) p.cpes.push_back(cut(cpe));
  std::string_view purl = json_str(h, "purl");  // CSAF 2.0: one purl; 2.1: purls[]
  if (!purl.empty()) p.purls.push_back(cut(purl));
  strings(h->get("purls"), p.purls, dropped);
  strings(h->get("model_numbers"), p.models, dropped);
  strings(h->get("skus"), p.skus, dropped);
  strings(h->get("serial_numbers"), p.serials, dropped);
}

void add_product(const J* fpn, CsafProduct p, CsafDoc& doc) {
  if (!fpn || fpn->type != J::kObject) return;
  p.id = cut(json_str(fpn, "product_id"));
  p.name = cut(json_str(fpn, "name"));
  if (p.id.empty()) return;
  if (doc.products.size() >= kCsafMaxProducts) {
    ++doc.dropped;
    return;
  }
  read_helper(fpn->get("product_identification_helper"), p, doc.dropped);
  doc.products.push_back(std::move(p));
}

// §3.1.2 branches: each level's category names what its name is; a leaf
// carries the product. The JSON reader's depth limit bounds the recursion.
void walk(const J* branches, CsafProduct path, CsafDoc& doc) {
  if (!branches || branches->type != J::kArray) return;
  for (const J& b : branches->items) {
    if (b.type != J::kObject) continue;
    CsafProduct p = path;
    std::string_view cat = json_str(&b, "category"), name = json_str(&b, "name");
    if (cat == "vendor") p.vendor = cut(name);
    else if (cat == "product_name") p.product = cut(name);
    else if (cat == "product_family") p.family = cut(name);
    else if (cat == "product_version" || cat == "product_version_range") {
      p.version = cut(name);
      p.version_range = cat == "product_version_range";
    }
    add_product(b.get("product"), p, doc);
    walk(b.get("branches"), p, doc);
  }
}

// §3.2.2.5 relationships: "A installed_on B" makes a new product id whose
// identity is A's (the component that is vulnerable), noted as part of B.
void read_relationships(const J* rels, CsafDoc& doc) {
  if (!rels || rels->type != J::kArray) return;
  for (const J& r : rels->items) {
    const CsafProduct* a = doc.product(json_str(&r, "product_reference"));
    CsafProduct p = a ? *a : CsafProduct{};
    p.relates_to = cut(json_str(&r, "relates_to_product_reference"));
    p.cpes.clear();
    add_product(r.get("full_product_name"), p, doc);
  }
}

void read_scores(const J* scores, CsafVuln& v, size_t& dropped) {
  if (!scores || scores->type != J::kArray) return;
  for (const J& s : scores->items) {
    for (const char* key : {"cvss_v3", "cvss_v4", "cvss_v2"}) {
      const J* c = s.get(key);
      if (!c || c->type != J::kObject || v.scores.size() >= 64) continue;
      CsafScore sc;
      sc.version = cut(json_str(c, "version"));
      sc.vector = cut(json_str(c, "vectorString"));
      const J* base = c->get("baseScore");
      if (base && base->type == J::kNumber) sc.base = std::strtod(base->text.c_str(), nullptr);
      sc.severity = cut(json_str(c, "baseSeverity"));
      strings(s.get("products"), sc.products, dropped);
      v.scores.push_back(std::move(sc));
    }
  }
}

void read_remediations(const J* arr, std::vector<CsafRemediation>& out, size_t& dropped) {
  if (!arr || arr->type != J::kArray) return;
  for (const J& r : arr->items) {
    if (r.type != J::kObject || out.size() >= 256) continue;
    CsafRemediation x;
    x.category = cut(json_str(&r, "category"));
    x.details = cut(json_str(&r, "details"));
    x.url = cut(json_str(&r, "url"));
    strings(r.get("product_ids"), x.products, dropped);
    out.push_back(std::move(x));
  }
}

void read_vuln(const J& j, CsafDoc& doc) {
  if (j.type != J::kObject) return;
  if (doc.vulns.size() >= kCsafMaxVulns) {
    ++doc.dropped;
    return;
  }
  CsafVuln v;
  v.cve = cut(json_str(&j, "cve"));
  v.title = cut(json_str(&j, "title"));
  v.cwe = cut(json_str(j.get("cwe"), "id"));
  const J* st = j.get("product_status");
  strings(st ? st->get("known_affected") : nullptr, v.known_affected, doc.dropped);
  strings(st ? st->get("first_affected") : nullptr, v.first_affected, doc.dropped);
  strings(st ? st->get("last_affected") : nullptr, v.last_affected, doc.dropped);
  strings(st ? st->get("fixed") : nullptr, v.fixed, doc.dropped);
  strings(st ? st->get("first_fixed") : nullptr, v.first_fixed, doc.dropped);
  strings(st ? st->get("known_not_affected") : nullptr, v.known_not_affected, doc.dropped);
  strings(st ? st->get("under_investigation") : nullptr, v.under_investigation, doc.dropped);
  strings(st ? st->get("recommended") : nullptr, v.recommended, doc.dropped);
  read_scores(j.get("scores"), v, doc.dropped);
  read_remediations(j.get("remediations"), v.remediations, doc.dropped);
  read_remediations(j.get("threats"), v.threats, doc.dropped);
  doc.vulns.push_back(std::move(v));
}

}  // namespace

const char* parse_csaf(std::string_view text, CsafDoc& out) {
  out = CsafDoc{};
  if (text.size() > kCsafMaxBytes) return "csaf.too_large";
  JsonValue root;
  if (const char* err = parse_json(text, root, kCsafMaxValues)) return err;
  const J* doc = root.get("document");
  if (!doc || doc->type != J::kObject) return "csaf.not_csaf";
  out.csaf_version = cut(json_str(doc, "csaf_version"));
  if (out.csaf_version.rfind("2.", 0) != 0) return "csaf.not_csaf";
  out.category = cut(json_str(doc, "category"));
  out.title = cut(json_str(doc, "title"));
  out.publisher = cut(json_str(doc->get("publisher"), "name"));
  out.tlp = cut(json_str(doc->get("distribution") ? doc->get("distribution")->get("tlp") : nullptr, "label"));
  const J* tr = doc->get("tracking");
  out.id = cut(json_str(tr, "id"));
  out.initial_date = cut(json_str(tr, "initial_release_date"));
  out.current_date = cut(json_str(tr, "current_release_date"));
  if (out.id.empty()) return "csaf.no_tracking_id";
  const J* tree = root.get("product_tree");
  if (tree && tree->type == J::kObject) {
    walk(tree->get("branches"), CsafProduct{}, out);
    const J* fpns = tree->get("full_product_names");
    if (fpns && fpns->type == J::kArray) {
      for (const J& f : fpns->items) add_product(&f, CsafProduct{}, out);
    }
    read_relationships(tree->get("relationships"), out);
  }
  const J* vulns = root.get("vulnerabilities");
  if (vulns && vulns->type == J::kArray) {
    for (const J& v : vulns->items) read_vuln(v, out);
  }
  return nullptr;
}

}  // namespace ms::exposure
