// `medsentry risk` (risk_cmd.h).
#include "app/risk_cmd.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "app/table.h"
#include "common/json_writer.h"
#include "exposure/exposure_store.h"
#include "exposure/ranking.h"

namespace ms {

namespace {

using namespace exposure;

void print_json(const std::vector<DeviceRisk>& ranked) {
  std::string out = "[";
  for (size_t i = 0; i < ranked.size(); ++i) {
    const DeviceRisk& r = ranked[i];
    out += i ? ",\n" : "\n";
    JsonWriter w(out);
    w.begin_object().kv("rank", static_cast<int>(i + 1)).kv("device", r.device).kv("ip", r.ip).kv("name", r.name);
    w.kv("type", r.type).kv("score", r.score).kv("level", r.level).kv("clinical_weight", r.clinical_weight);
    w.kv("next_action", r.next_action).key("factors").begin_array();
    for (const RiskFactor& f : r.factors) w.begin_object().kv("kind", f.kind).kv("detail", f.detail).kv("points", f.points).end_object();
    w.end_array().end_object();
  }
  out += ranked.empty() ? "]\n" : "\n]\n";
  std::cout << out;
}

void print_text(const std::vector<DeviceRisk>& ranked) {
  const char* heads[] = {"RANK", "SCORE", "LEVEL", "IP", "DEVICE", "TYPE", "WHY", "NEXT ACTION"};
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, size_t> levels;
  for (size_t i = 0; i < ranked.size(); ++i) {
    const DeviceRisk& r = ranked[i];
    std::string why;
    for (const RiskFactor& f : r.factors) {
      if (f.points > 0 && why.size() < 120) why += (why.empty() ? "" : "; ") + f.detail;
    }
    rows.push_back({std::to_string(i + 1), std::to_string(r.score), r.level, r.ip, printable(r.name), r.type, printable(why),
                    printable(r.next_action)});
    ++levels[r.level];
  }
  print_table(std::cout, std::vector<std::string>(std::begin(heads), std::end(heads)), std::move(rows), 60);
  std::cout << ranked.size() << " devices: " << levels["high"] << " high, " << levels["medium"] << " medium, " << levels["low"]
            << " low\n";
}

}  // namespace

int run_risk(const RiskOptions& o) {
  try {
    inv::Db db(o.db_path.empty() ? inv::default_db_path() : o.db_path, false);
    ensure_schema(db);
    std::vector<DeviceRisk> ranked = rank_devices(db);
    if (o.format == "json") print_json(ranked);
    else print_text(ranked);
  } catch (const std::exception& e) {
    std::cerr << "medsentry: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ms
