// CycloneDX JSON reading (cyclonedx_reader.h) on the bounded JSON reader.
#include "exposure/cyclonedx/cyclonedx_reader.h"

#include <cstdlib>

#include "common/json_reader.h"

namespace ms::exposure {

namespace {

using J = JsonValue;
constexpr size_t kText = 4096;

std::string cut(std::string_view s) { return std::string(s.substr(0, kText)); }

// A maker's name: `manufacturer` (1.6), else `supplier`, else `author`.
std::string maker(const J& c) {
  for (const char* k : {"manufacturer", "supplier"}) {
    std::string_view n = json_str(c.get(k), "name");
    if (!n.empty()) return cut(n);
  }
  return cut(json_str(&c, "author"));
}

CdxComponent component(const J& c) {
  CdxComponent x;
  x.ref = cut(json_str(&c, "bom-ref"));
  x.type = cut(json_str(&c, "type"));
  x.name = cut(json_str(&c, "name"));
  x.version = cut(json_str(&c, "version"));
  x.manufacturer = maker(c);
  x.purl = cut(json_str(&c, "purl"));
  x.cpe = cut(json_str(&c, "cpe"));
  return x;
}

// Components nest (components[].components[]); the JSON reader's depth
// limit bounds the recursion, kCdxMaxComponents the count.
void components(const J* arr, CdxBom& bom) {
  if (!arr || arr->type != J::kArray) return;
  for (const J& c : arr->items) {
    if (c.type != J::kObject) continue;
    if (bom.components.size() >= kCdxMaxComponents) {
      ++bom.dropped;
      continue;
    }
    bom.components.push_back(component(c));
    components(c.get("components"), bom);
  }
}

void vulnerability(const J& v, CdxBom& bom) {
  if (v.type != J::kObject) return;
  if (bom.vulns.size() >= kCdxMaxVulns) {
    ++bom.dropped;
    return;
  }
  CdxVuln x;
  x.id = cut(json_str(&v, "id"));
  x.source = cut(json_str(v.get("source"), "name"));
  const J* a = v.get("analysis");
  x.state = cut(json_str(a, "state"));
  x.justification = cut(json_str(a, "justification"));
  x.detail = cut(json_str(a, "detail"));
  const J* resp = a ? a->get("response") : nullptr;
  if (resp && resp->type == J::kArray) {
    for (const J& r : resp->items) {
      if (r.type == J::kString && x.responses.size() < 16) x.responses.push_back(cut(r.text));
    }
  }
  const J* ratings = v.get("ratings");
  if (ratings && ratings->type == J::kArray) {
    for (const J& r : ratings->items) {
      const J* s = r.get("score");
      double score = s && s->type == J::kNumber ? std::strtod(s->text.c_str(), nullptr) : 0;
      if (score >= x.score) {
        x.score = score;
        x.vector = cut(json_str(&r, "vector"));
      }
    }
  }
  const J* affects = v.get("affects");
  if (affects && affects->type == J::kArray) {
    for (const J& r : affects->items) {
      std::string_view ref = json_str(&r, "ref");
      if (!ref.empty() && x.affects.size() < 256) x.affects.push_back(cut(ref));
    }
  }
  if (!x.id.empty()) bom.vulns.push_back(std::move(x));
}

}  // namespace

const char* parse_cyclonedx(std::string_view text, CdxBom& out) {
  out = CdxBom{};
  if (text.size() > kCdxMaxBytes) return "cyclonedx.too_large";
  JsonValue root;
  if (const char* err = parse_json(text, root)) return err;
  if (json_str(&root, "bomFormat") != "CycloneDX") return "cyclonedx.not_cyclonedx";
  out.spec_version = cut(json_str(&root, "specVersion"));
  out.serial = cut(json_str(&root, "serialNumber"));
  const J* meta = root.get("metadata");
  const J* subject = meta ? meta->get("component") : nullptr;
  if (subject && subject->type == J::kObject) {
    out.subject = component(*subject);
    if (out.subject.manufacturer.empty()) out.subject.manufacturer = maker(*meta);
  }
  components(root.get("components"), out);
  const J* vulns = root.get("vulnerabilities");
  if (vulns && vulns->type == J::kArray) {
    for (const J& v : vulns->items) vulnerability(v, out);
  }
  return nullptr;
}

}  // namespace ms::exposure
