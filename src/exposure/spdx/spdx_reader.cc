// SPDX 2.3 JSON reading (spdx_reader.h).
#include "exposure/spdx/spdx_reader.h"

#include "common/json_reader.h"

namespace ms::exposure {

namespace {

using J = JsonValue;
constexpr size_t kText = 4096;

std::string cut(std::string_view s) { return std::string(s.substr(0, kText)); }

// §7.5 supplier: "Organization: ExampleCo (contact@example.com)" or "Person: ...".
std::string supplier_name(std::string_view s) {
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) s = s.substr(colon + 1);
  size_t paren = s.find(" (");
  if (paren != std::string_view::npos) s = s.substr(0, paren);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s == "NOASSERTION" ? "" : cut(s);
}

CdxComponent package(const J& p) {
  CdxComponent c;
  c.ref = cut(json_str(&p, "SPDXID"));
  c.type = cut(json_str(&p, "primaryPackagePurpose"));
  c.name = cut(json_str(&p, "name"));
  c.version = cut(json_str(&p, "versionInfo"));
  c.manufacturer = supplier_name(json_str(&p, "supplier"));
  if (c.manufacturer.empty()) c.manufacturer = supplier_name(json_str(&p, "originator"));
  const J* refs = p.get("externalRefs");
  if (refs && refs->type == J::kArray) {
    for (const J& r : refs->items) {
      std::string_view type = json_str(&r, "referenceType"), loc = json_str(&r, "referenceLocator");
      if (type == "purl" && c.purl.empty()) c.purl = cut(loc);
      if ((type == "cpe23Type" || type == "cpe22Type") && c.cpe.empty()) c.cpe = cut(loc);
    }
  }
  return c;
}

// The SPDXID the document describes: documentDescribes, else a DESCRIBES
// relationship from the document.
std::string described(const J& root) {
  const J* d = root.get("documentDescribes");
  if (d && d->type == J::kArray && !d->items.empty() && d->items[0].type == J::kString) return d->items[0].text;
  const J* rels = root.get("relationships");
  if (rels && rels->type == J::kArray) {
    for (const J& r : rels->items) {
      if (json_str(&r, "relationshipType") == "DESCRIBES") return std::string(json_str(&r, "relatedSpdxElement"));
    }
  }
  return "";
}

}  // namespace

const char* parse_spdx(std::string_view text, CdxBom& out) {
  out = CdxBom{};
  if (text.size() > kCdxMaxBytes) return "spdx.too_large";
  JsonValue root;
  if (const char* err = parse_json(text, root, 400'000)) return err;
  std::string_view version = json_str(&root, "spdxVersion");
  if (version.rfind("SPDX-2.", 0) != 0) return "spdx.not_spdx";
  out.spec_version = cut(version);
  out.serial = cut(json_str(&root, "documentNamespace"));
  std::string subject = described(root);
  const J* pkgs = root.get("packages");
  if (pkgs && pkgs->type == J::kArray) {
    for (const J& p : pkgs->items) {
      if (p.type != J::kObject) continue;
      CdxComponent c = package(p);
      if (!subject.empty() && c.ref == subject) {
        out.subject = std::move(c);
      } else if (out.components.size() < kCdxMaxComponents) {
        out.components.push_back(std::move(c));
      } else {
        ++out.dropped;
      }
    }
  }
  return nullptr;
}

const char* parse_any_sbom(std::string_view text, CdxBom& out) {
  if (!parse_cyclonedx(text, out)) return nullptr;
  return parse_spdx(text, out);
}

}  // namespace ms::exposure
