// `medsentry exposure` (exposure_cmd.h): reads the sources named on the
// command line into the database, then matches every stored source against
// every device and replaces the stored links. Bad files give one line and a
// non-zero exit; a directory's files that are not CSAF (a provider's
// metadata, an index) are counted and skipped.
#include "app/exposure_cmd.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "app/exposure_output.h"
#include "exposure/exposure_store.h"
#include "exposure/linker.h"
#include "exposure/mds2/mds2_form.h"
#include "exposure/epss.h"
#include "exposure/kev.h"
#include "exposure/openvex/openvex_reader.h"
#include "exposure/spdx/spdx_reader.h"
#include "exposure/sbom_vex.h"

namespace ms {

namespace {

namespace fs = std::filesystem;
using namespace exposure;

constexpr size_t kMaxFiles = 20000;

// The file's text; throws with one line when it cannot be read or is larger than `max`.
std::string read_text(const std::string& path, size_t max) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) throw std::runtime_error(path + ": cannot read: " + ec.message());
  if (size > max) throw std::runtime_error(path + ": larger than " + std::to_string(max >> 20) + " MiB");
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f && !f.eof()) throw std::runtime_error(path + ": cannot read");
  return ss.str();
}

// Files named, directories walked for *.json (sorted, at most kMaxFiles).
std::vector<std::pair<std::string, bool>> expand(const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, bool>> out;  // (path, named on the command line)
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back({p, true});
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".json") found.push_back(it->path().string());
      if (found.size() > kMaxFiles) throw std::runtime_error(p + ": more than " + std::to_string(kMaxFiles) + " JSON files");
    }
    if (ec) throw std::runtime_error(p + ": " + ec.message());
    std::sort(found.begin(), found.end());
    for (std::string& f : found) out.push_back({std::move(f), false});
  }
  return out;
}

void load_advisories(inv::Db& db, const std::vector<std::string>& paths) {
  size_t loaded = 0, skipped = 0;
  for (const auto& [path, named] : expand(paths)) {
    std::string text = read_text(path, kCsafMaxBytes);
    CsafDoc doc;
    if (const char* err = parse_csaf(text, doc)) {
      if (named) throw std::runtime_error(path + ": not a CSAF 2.0 advisory (" + err + ")");
      ++skipped;
      continue;
    }
    save_source(db, {doc.id, "csaf", path, doc.title, doc.current_date, std::move(text)});
    ++loaded;
  }
  if (!paths.empty())
    std::cerr << "medsentry: " << loaded << " advisories loaded" << (skipped ? ", " + std::to_string(skipped) + " files skipped (not CSAF 2.0)" : "") << "\n";
}

// "FILE" or "MAKER;MODEL[;VERSION]=FILE": the selector ("" when none) and
// the file. A '=' before which there is no ';' belongs to the file name.
std::pair<std::string, std::string> split_attachment(const std::string& a) {
  size_t eq = a.find('=');
  if (eq == std::string::npos || a.substr(0, eq).find(';') == std::string::npos) return {"", a};
  std::string sel = a.substr(0, eq);
  DeviceSelector s;
  if (!parse_selector(sel, s)) throw std::runtime_error("'" + sel + "': not MAKER;MODEL[;VERSION]");
  return {sel, a.substr(eq + 1)};
}

// "FILE" or "MAKER;MODEL[;VERSION]=FILE".
void load_boms(inv::Db& db, const std::vector<std::string>& args, const char* kind) {
  for (const std::string& a : args) {
    auto [sel, path] = split_attachment(a);
    std::string text = read_text(path, kCdxMaxBytes);
    CdxBom bom;
    bool vex = std::string(kind) == "vex";
    if (const char* err = vex ? parse_any_vex(text, bom) : parse_any_sbom(text, bom))
      throw std::runtime_error(path + (vex ? ": not a CycloneDX, OpenVEX or CSAF VEX document ("
                                           : ": not a CycloneDX or SPDX 2.x JSON document (") +
                               err + ")");
    if (!vex && sel.empty() && bom.subject.name.empty())
      throw std::runtime_error(path + ": names no device (metadata.component, or the package SPDX describes); attach it with MAKER;MODEL[;VERSION]=" + path);
    save_source(db, {sel + "=" + fs::absolute(path).string(), kind, path, sel, "", std::move(text)});
  }
}

// An MDS2 form: "FILE" (attached to the devices its DOC-1 maker and DOC-3
// models name) or "MAKER;MODEL[;VERSION]=FILE". Stored as its answers.
void load_mds2(inv::Db& db, const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    auto [sel, path] = split_attachment(a);
    std::string bytes = read_text(path, kXlsxMaxBytes);
    std::vector<XlsxCell> cells;
    if (const char* err = read_xlsx_cells(bytes, cells)) throw std::runtime_error(path + ": not a readable XLSX workbook (" + err + ")");
    Mds2Form form;
    if (const char* err = parse_mds2(cells, form)) throw std::runtime_error(path + ": " + err);
    if (sel.empty() && (form.manufacturer.empty() || form.model.empty()))
      throw std::runtime_error(path + ": DOC-1 (manufacturer) or DOC-3 (model) is empty; attach it with MAKER;MODEL=" + path);
    save_source(db, {sel + "=" + fs::absolute(path).string(), "mds2", path, sel, form.date, mds2_to_text(form)});
    std::cerr << "medsentry: MDS2 form " << (form.document.empty() ? path : form.document) << ", " << form.answers.size()
              << " answers\n";
  }
}

// The catalog replaces the one stored before (it is cumulative).
void load_kev(inv::Db& db, const std::string& path) {
  if (path.empty()) return;
  std::string text = read_text(path, kKevMaxBytes);
  KevCatalog kev;
  if (const char* err = parse_kev(text, kev)) throw std::runtime_error(path + ": not CISA's KEV catalog (" + err + ")");
  save_source(db, {"kev", "kev", path, "KEV " + kev.version, kev.version, std::move(text)});
  std::cerr << "medsentry: KEV catalog " << kev.version << ", " << kev.by_cve.size() << " vulnerabilities\n";
}

void load_epss(inv::Db& db, const std::string& path) {
  if (path.empty()) return;
  std::string text = read_text(path, kEpssMaxBytes);
  EpssTable epss;
  if (const char* err = parse_epss(text, epss)) throw std::runtime_error(path + ": not FIRST's EPSS CSV (" + err + ")");
  save_source(db, {"epss", "epss", path, "EPSS " + epss.model, epss.score_date, std::move(text)});
  std::cerr << "medsentry: EPSS " << epss.model << " " << epss.score_date << ", " << epss.by_cve.size() << " scores\n";
}

}  // namespace

int run_exposure(const ExposureOptions& o) {
  try {
    inv::Db db(o.db_path.empty() ? inv::default_db_path() : o.db_path, false);
    ensure_schema(db);
    // One transaction: a bad file leaves the stored sources as they were.
    db.exec("BEGIN IMMEDIATE");
    try {
      load_advisories(db, o.advisories);
      load_boms(db, o.sboms, "sbom");
      load_boms(db, o.vex, "vex");
      load_mds2(db, o.mds2);
      load_kev(db, o.kev);
      load_epss(db, o.epss);
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    std::vector<Link> links = refresh_links(db);
    std::vector<Mds2Discrepancy> mds2 = refresh_mds2(db);
    std::vector<DeviceIdentity> devices = read_devices(db);
    print_exposure(std::cout, o.format, devices, links, mds2);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ms
