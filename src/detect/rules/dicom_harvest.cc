// Rule 1009 dicom_harvest: at least harvest_broad_queries C-FIND/C-GET/C-MOVE
// that name no patient, study, accession, series, instance or date, or at
// least harvest_queries queries of any kind, from one source to one server
// within harvest_window; never from known.pacs (an archive's routine). High;
// medium from an archive or imaging workstation.
// Wants: dicom (the calling AE title of each association), dicom_command.
// Keeps: every query (time, broad or not, flow) under the shared records
// budget, and the commands, levels, models and AE titles seen.
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/json_read_back.h"
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/dicom/dicom_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"dicom_harvest", 1009, "DICOM query harvesting", "collection", "T0811", "T1119"}};
constexpr std::string_view kWants[] = {"dicom", "dicom_command"};
constexpr size_t kMaxAssociations = 200'000;  // calling AE titles remembered, by flow

struct Query {
  TimeNs ts;
  bool broad;
  uint64_t flow_id;
};

// A query that names nobody and nothing: no patient, study, accession,
// series, instance or date to narrow it (PS3.4 C.2.2.2: universal and
// wildcard matching). Only a C-FIND with keys carries a query.
bool broad_query(const dicom::DicomCommandEvent& c) {
  if (!c.has_query()) return false;
  static const char* kNarrowing[] = {"PatientID", "PatientName", "AccessionNumber", "StudyInstanceUID",
                                     "SeriesInstanceUID", "SOPInstanceUID", "StudyDate", "SeriesDate",
                                     "ScheduledProcedureStepStartDate", "OtherPatientIDs", "IssuerOfPatientID"};
  for (const dicom::QueryKey& k : c.keys) {
    const std::string& name = k.key;
    const std::string& match = k.match;
    bool narrowing = std::any_of(std::begin(kNarrowing), std::end(kNarrowing), [&](const char* n) { return name == n; });
    if (!narrowing) continue;
    // A single value, a list of UIDs, or a date range narrows; universal
    // (empty) or a wildcard ("*", "DOE*") does not.
    if (match == "single" || match == "uid_list" || match == "range" || match == "list") return false;
  }
  return true;
}

class DicomHarvest final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  // Values are read as the JSON line reads them back (json_writer.h).
  void take(const Input& in, Context& ctx) override {
    const Event& e = in.event();
    if (const auto* a = e.as<dicom::DicomEvent>()) {
      if (e.flow_id && calling_ae_.size() < kMaxAssociations && !a->calling_ae().empty())
        calling_ae_.emplace(e.flow_id, Association{cap(json_read_back(a->calling_ae())), e.ts});
      return;
    }
    const auto* c = e.as<dicom::DicomCommandEvent>();
    if (!c || (c->field != 0x0020 && c->field != 0x0010 && c->field != 0x0021)) return;  // C-FIND, C-GET, C-MOVE
    std::string key = e.src_ip + '\x1f' + e.dest_ip;
    if (ctx.records.take(ctx.stats)) {
      queries_[key].push_back(Query{e.ts, broad_query(*c), e.flow_id});
      ctx.flows.ref(e);
    }
    Candidate& ev = evidence_[key];
    add_list(ev, "commands", c->command());
    if (c->has_query()) add_list(ev, "levels", json_read_back(c->level));
    add_list(ev, "information_models", c->sop_class_name());
    if (auto it = calling_ae_.find(e.flow_id); it != calling_ae_.end()) {
      add_list(ev, "calling_ae_titles", it->second.ae);
      it->second.ts = std::max(it->second.ts, e.ts);  // the association is in use: it stays
    }
  }

  void judge(Judge& j) override {
    for (auto& [key, qs] : queries_) judge_pair(j, key, qs);
  }

  void expire(Expiry& x) override {
    expire_series(queries_, x, &x.records, true);
    std::erase_if(evidence_, [this](const auto& kv) { return !queries_.count(kv.first); });
    drop_idle(calling_ae_, x.before, [](const Association& a) { return a.ts; });
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "review the source's queries and retrieves on the archive's audit log; restrict query rights by AE title"};
  }

 private:
  void judge_pair(Judge& j, const std::string& key, std::vector<Query>& qs) {
    const Thresholds& th = j.cfg().thresholds;
    const TimeNs window = seconds(th.harvest_window);
    std::string src = key.substr(0, key.find('\x1f'));
    if (j.cfg().is_pacs(src)) return;  // an archive's routine queries and moves
    std::sort(qs.begin(), qs.end(), [](const Query& a, const Query& b) {
      return std::tie(a.ts, a.flow_id, a.broad) < std::tie(b.ts, b.flow_id, b.broad);
    });
    size_t lo = 0, broad = 0;
    for (size_t i = 0; i < qs.size(); ++i) {
      while (qs[lo].ts < qs[i].ts - window) {
        if (qs[lo].broad) --broad;
        ++lo;
      }
      if (qs[i].broad) ++broad;
      if (broad >= th.harvest_broad_queries || i - lo + 1 >= th.harvest_queries) {
        raise(j, key, qs, lo, i, window);
        return;  // one alert per pair per run
      }
    }
  }

  // From the window that crossed the threshold to where the queries stop (a
  // gap longer than the window).
  void raise(Judge& j, const std::string& key, const std::vector<Query>& qs, size_t lo, size_t i, TimeNs window) {
    size_t p1 = key.find('\x1f');
    std::string src = key.substr(0, p1), dst = key.substr(p1 + 1);
    uint64_t n = 0, nb = 0;
    std::map<uint64_t, TimeNs> flows;
    TimeNs last = qs[i].ts;
    for (size_t k = lo; k < qs.size(); ++k) {
      if (qs[k].ts - last > window) break;
      last = qs[k].ts;
      ++n;
      nb += qs[k].broad;
      if (qs[k].flow_id && flows.size() < kMaxFlowsPerCandidate) flows.emplace(qs[k].flow_id, qs[k].ts);
    }
    Severity sev = imaging_host(j.fact(src)) ? Severity::kMedium : Severity::kHigh;
    auto it = evidence_.find(key);
    const Candidate* ev = it == evidence_.end() ? nullptr : &it->second;
    const uint32_t window_s = j.cfg().thresholds.harvest_window;
    j.raise("dicom_harvest", sev, src, dst, "dicom", qs[lo].ts, last, n, flows, 0, [&](JsonWriter& w) {
      w.kv("queries", n).kv("broad_queries", nb);
      w.kv("window_s", static_cast<uint64_t>(window_s));
      if (ev) write_lists(w, *ev);
    });
  }

  struct Association {
    std::string ae;
    TimeNs ts;
  };
  std::unordered_map<uint64_t, Association> calling_ae_;  // DICOM flow -> calling AE title
  std::map<std::string, std::vector<Query>> queries_;      // src \x1f dst
  std::map<std::string, Candidate> evidence_;              // src \x1f dst
};

}  // namespace
MS_REGISTER_RULE(dicom_harvest, DicomHarvest);
}  // namespace ms::detect
