// KEV catalog reading (kev.h).
#include "exposure/kev.h"

#include "common/json_reader.h"

namespace ms::exposure {

const char* parse_kev(std::string_view text, KevCatalog& out) {
  out = KevCatalog{};
  if (text.size() > kKevMaxBytes) return "kev.too_large";
  JsonValue root;
  if (const char* err = parse_json(text, root, kKevMaxValues)) return err;
  const JsonValue* vulns = root.get("vulnerabilities");
  if (!vulns || vulns->type != JsonValue::kArray || json_str(&root, "catalogVersion").empty()) return "kev.not_kev";
  out.version = std::string(json_str(&root, "catalogVersion").substr(0, 64));
  for (const JsonValue& v : vulns->items) {
    std::string_view cve = json_str(&v, "cveID");
    if (cve.empty() || cve.size() > 32) continue;
    KevEntry e;
    e.date_added = std::string(json_str(&v, "dateAdded").substr(0, 32));
    e.due_date = std::string(json_str(&v, "dueDate").substr(0, 32));
    e.required_action = std::string(json_str(&v, "requiredAction").substr(0, 1024));
    e.ransomware = json_str(&v, "knownRansomwareCampaignUse") == "Known";
    out.by_cve[std::string(cve)] = std::move(e);
  }
  return nullptr;
}

}  // namespace ms::exposure
