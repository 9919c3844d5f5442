// Linking (linker.h).
#include "exposure/linker.h"

#include <algorithm>

#include "exposure/exposure_store.h"
#include "exposure/openvex/openvex_reader.h"
#include "exposure/sbom_vex.h"
#include "exposure/spdx/spdx_reader.h"

namespace ms::exposure {

namespace {

std::vector<AttachedBom> stored_boms(inv::Db& db, const char* kind) {
  std::vector<AttachedBom> out;
  for (const SourceDoc& s : load_sources(db, kind)) {
    AttachedBom b;
    b.path = s.path;
    if (std::string(kind) == "vex" ? parse_any_vex(s.body, b.bom) : parse_any_sbom(s.body, b.bom)) continue;
    if (s.title.empty() || !parse_selector(s.title, b.who)) b.who = selector_of(b.bom);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Link> link_all(inv::Db& db) {
  std::vector<CsafDoc> docs;
  for (const SourceDoc& s : load_sources(db, "csaf")) {
    CsafDoc d;
    if (!parse_csaf(s.body, d)) {
      docs.push_back(std::move(d));
    }
  }
  std::vector<PreparedDoc> prepared;
  for (const CsafDoc& d : docs) prepared.push_back(prepare(d));
  std::vector<AttachedBom> sboms = stored_boms(db, "sbom"), vexes = stored_boms(db, "vex");
  std::vector<Link> all;
  for (const DeviceIdentity& d : read_devices(db)) {
    std::vector<Link> mine;
    for (const PreparedDoc& p : prepared) {
      for (Link& l : match_device(p, d)) mine.push_back(std::move(l));
    }
    std::vector<const AttachedBom*> attached;
    for (const AttachedBom& b : sboms) {
      if (!selects(b.who, d)) continue;
      attached.push_back(&b);
      for (Link& l : bom_links(b, docs, d)) mine.push_back(std::move(l));
    }
    for (const AttachedBom& v : vexes) {
      if (vex_applies(v, d, attached)) apply_vex(v, d, attached, mine);
    }
    for (Link& l : mine) all.push_back(std::move(l));
  }
  return all;
}

// Whether a stored form names device `d`.
bool form_selects(const SourceDoc& s, const Mds2Form& f, const DeviceIdentity& d) {
  DeviceSelector sel;
  if (!s.title.empty() && parse_selector(s.title, sel)) return selects(sel, d);
  for (const std::string& model : mds2_models(f)) {
    if (selects(DeviceSelector{f.manufacturer, model, ""}, d)) return true;
  }
  return false;
}

}  // namespace

std::vector<Mds2Discrepancy> refresh_mds2(inv::Db& db) {
  std::vector<std::pair<SourceDoc, Mds2Form>> forms;
  for (SourceDoc& s : load_sources(db, "mds2")) {
    Mds2Form f;
    if (mds2_from_text(s.body, f)) forms.emplace_back(std::move(s), std::move(f));
  }
  std::vector<std::pair<std::string, std::string>> records = read_records(db);
  std::vector<Mds2Discrepancy> all;
  for (const DeviceIdentity& d : read_devices(db)) {
    auto rec = std::lower_bound(records.begin(), records.end(), std::make_pair(d.id, std::string()));
    if (rec == records.end() || rec->first != d.id) continue;
    for (const auto& sf : forms) {
      if (!form_selects(sf.first, sf.second, d)) continue;
      for (Mds2Discrepancy& x : compare_mds2(sf.second, sf.first.id, d.id, rec->second)) all.push_back(std::move(x));
    }
  }
  replace_mds2(db, all);
  return all;
}

std::vector<Link> refresh_links(inv::Db& db) {
  std::vector<Link> links = link_all(db);
  replace_links(db, links);
  return links;
}

}  // namespace ms::exposure
