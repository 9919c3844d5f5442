// Summary printing and the stats event.
#include "app/summary.h"

#include <unistd.h>

#include <cstdio>

// gperftools' C interface (malloc_extension_c.h); weak: absent in the
// sanitizer and fuzz builds, which link no tcmalloc.
extern "C" int MallocExtension_GetNumericProperty(const char* property, size_t* value) __attribute__((weak));

namespace ms {

namespace {

// The process's resident memory (/proc/self/statm, proc(5)); 0 if unread.
uint64_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

std::string grouped(uint64_t v) {
  std::string digits = std::to_string(v), s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string fixed(double v, int prec) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

void write_live(JsonWriter& w, double uptime_s, const DispatchStats& d, const std::vector<LiveIfStats>& ifs) {
  uint64_t drops = 0;
  for (const LiveIfStats& i : ifs) drops += i.drops;
  w.key("live").begin_object();
  w.kv("uptime_s", static_cast<uint64_t>(uptime_s));
  w.kv("packets", d.packets);
  w.kv("bytes", d.bytes);
  w.kv("kernel_drops", drops);
  w.key("workers").begin_array();
  for (uint64_t n : d.per_worker) w.value(n);
  w.end_array();
  w.key("interfaces").begin_array();
  for (const LiveIfStats& i : ifs) {
    w.begin_object();
    w.kv("name", i.name);
    w.kv("packets", i.packets);
    w.kv("drops", i.drops);
    w.kv("ring_full", i.freeze_q);
    w.end_object();
  }
  w.end_array();
  // Memory, for a long run's operator (and bench/soak.sh): resident, and
  // the bytes the program holds from tcmalloc (its allocator's caches and
  // free pages are the difference, with the rings and the binary).
  w.kv("rss_bytes", resident_bytes());
  size_t heap = 0;
  if (MallocExtension_GetNumericProperty &&
      MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &heap))
    w.kv("heap_bytes", static_cast<uint64_t>(heap));
  w.end_object();
}

}  // namespace

Event make_live_stats_event(TimeNs ts, double uptime_s, const DispatchStats& d, const std::vector<LiveIfStats>& ifs) {
  Envelope env;
  env.ts = ts;
  EventBuilder b(env, "stats");
  JsonWriter& w = b.w();
  w.key("stats").begin_object();
  w.kv("interim", true);
  write_live(w, uptime_s, d, ifs);
  w.end_object();
  return b.finish();
}

Event make_stats_event(const Summary& s) {
  Envelope env;
  env.ts = s.dispatch.last_ts;
  EventBuilder b(env, "stats");
  JsonWriter& w = b.w();
  const DispatchStats& d = s.dispatch;
  const FlowStats& f = s.flows;
  w.key("stats").begin_object();
  w.kv("files", static_cast<uint64_t>(s.files));
  w.kv("workers", s.workers);
  w.kv("interrupted", s.interrupted);
  w.kv("truncated_files", static_cast<uint64_t>(s.warnings.size()));
  w.key("capture").begin_object();
  w.kv("packets", d.packets);
  w.kv("bytes", d.bytes);
  w.kv("first", format_time(d.first_ts));
  w.kv("last", format_time(d.last_ts));
  w.kv("snaplen_truncated", d.snaplen_truncated);
  w.end_object();
  w.key("decoder").begin_object();
  w.kv("non_ip", d.non_ip);
  w.kv("undecodable", d.undecodable);
  w.kv("anomalies", d.anomalies);
  w.key("anomaly_reasons").begin_object();
  for (const auto& [k, v] : d.anomaly_reasons) w.kv(k, v);
  w.end_object();
  w.end_object();
  w.key("defrag").begin_object();
  w.kv("fragments", s.defrag.fragments);
  w.kv("reassembled", s.defrag.reassembled);
  w.kv("timeouts", s.defrag.timeouts);
  w.kv("evicted", s.defrag.evicted);
  w.kv("dropped", s.defrag.dropped);
  w.end_object();
  w.key("floods").begin_object();
  w.kv("reported", s.floods.floods);
  w.kv("untracked_packets", s.floods.untracked);
  w.end_object();
  w.key("flow").begin_object();
  w.kv("packets", f.packets);
  w.kv("packets_no_l4", f.packets_no_l4);
  w.kv("flows", f.flows);
  w.kv("ended_timeout", f.ended_timeout);
  w.kv("ended_tcp_closed", f.ended_tcp_closed);
  w.kv("ended_tcp_reset", f.ended_tcp_reset);
  w.kv("ended_evicted", f.ended_evicted);
  w.kv("ended_end_of_capture", f.ended_end_of_capture);
  w.kv("active_timeouts", f.active_timeouts);
  w.kv("anomalies", f.anomalies);
  w.end_object();
  w.key("tcp").begin_object();
  w.kv("reassembled_bytes", f.tcp_reassembled_bytes);
  w.kv("retransmitted_bytes", f.tcp_retransmitted_bytes);
  w.kv("ooo_segments", f.tcp_ooo_segments);
  w.kv("gaps", f.tcp_gaps);
  w.kv("gap_bytes", f.tcp_gap_bytes);
  w.kv("overlap_mismatch", f.tcp_overlap_mismatch);
  w.end_object();
  w.key("app_layer").begin_object();
  w.kv("matched", f.app_matched);
  w.kv("unknown", f.app_unknown);
  w.kv("errors", f.app_errors);
  w.end_object();
  if (s.has_inventory) {
    const inv::Stats& i = s.inventory;
    w.key("inventory").begin_object();
    w.kv("observations", i.observations);
    w.kv("devices", i.devices);
    w.kv("devices_new", i.devices_new);
    w.kv("devices_changed", i.devices_changed);
    w.kv("max_resident", i.max_resident);
    w.kv("evictions", i.evictions);
    w.kv("dropped_observations", i.dropped);
    w.kv("unseen_names", i.unseen_names);
    w.end_object();
  }
  if (s.has_detect) {
    const detect::Stats& a = s.detect;
    w.key("detect").begin_object();
    w.kv("alerts", a.alerts);
    w.key("by_severity").begin_object();
    for (int i = 4; i >= 0; --i) w.kv(detect::severity_name(static_cast<detect::Severity>(i)), a.by_severity[i]);
    w.end_object();
    w.kv("allowed", a.allowed);
    w.kv("dropped_state", a.dropped_state);
    w.end_object();
  }
  if (s.monitor) write_live(w, s.elapsed, s.dispatch, s.live);
  w.end_object();
  return b.finish();
}

void print_summary(std::ostream& os, const Summary& s) {
  const DispatchStats& d = s.dispatch;
  const FlowStats& f = s.flows;
  double mb = static_cast<double>(d.bytes) / 1e6;
  double secs = s.elapsed > 0 ? s.elapsed : 1e-9;
  if (!s.monitor) {
    os << "medsentry analyze: " << s.files << (s.files == 1 ? " file, " : " files, ");
  } else {
    uint64_t drops = 0;
    os << (s.live.empty() ? "medsentry monitor --read:" : "medsentry monitor:");
    for (const LiveIfStats& i : s.live) {
      os << " " << i.name;
      drops += i.drops;
    }
    os << " (kernel drops " << grouped(drops) << "), ";
  }
  os << s.workers << (s.workers == 1 ? " worker" : " workers") << (s.interrupted ? " (interrupted)" : "") << "\n";
  os << "  packets     " << grouped(d.packets) << " (" << fixed(mb, 1) << " MB) in " << fixed(s.elapsed, 2)
     << " s: " << fixed(mb / secs, 1) << " MB/s, " << grouped(static_cast<uint64_t>(static_cast<double>(d.packets) / secs))
     << " packets/s\n";
  os << "  flows       " << grouped(f.flows) << " (timeout " << grouped(f.ended_timeout) << ", tcp closed "
     << grouped(f.ended_tcp_closed) << ", tcp reset " << grouped(f.ended_tcp_reset) << ", end of capture "
     << grouped(f.ended_end_of_capture) << ", evicted " << grouped(f.ended_evicted) << ")\n";
  os << "  events     ";
  for (const auto& [type, n] : s.event_counts) os << " " << type << " " << grouped(n);
  os << "\n";
  os << "  anomalies   " << grouped(d.anomalies + f.anomalies);
  if (!d.anomaly_reasons.empty()) {
    os << " (";
    bool first = true;
    for (const auto& [k, v] : d.anomaly_reasons) {
      os << (first ? "" : ", ") << k << " " << grouped(v);
      first = false;
    }
    os << ")";
  }
  os << "\n";
  os << "  other       non-IP " << grouped(d.non_ip) << ", undecodable " << grouped(d.undecodable)
     << ", IP fragments " << grouped(s.defrag.fragments) << " (datagrams reassembled "
     << grouped(s.defrag.reassembled) << "), TCP gaps " << grouped(f.tcp_gaps) << "\n";
  if (s.floods.floods || s.floods.untracked) {
    os << "  floods      " << grouped(s.floods.floods) << " (see the flood events and dos alerts)";
    if (s.floods.untracked) os << ", " << grouped(s.floods.untracked) << " packets not metered (table full)";
    os << "\n";
  }
  if (s.has_inventory) {
    const inv::Stats& i = s.inventory;
    os << "  inventory   " << grouped(i.devices) << " devices (" << grouped(i.devices_new) << " new, "
       << grouped(i.devices_changed) << " changed)";
    if (i.evictions) os << ", " << grouped(i.evictions) << " evicted from memory (--max-devices)";
    os << " in " << s.inventory_db << "\n";
  }
  if (s.has_detect) {
    const detect::Stats& a = s.detect;
    os << "  alerts      " << grouped(a.alerts);
    if (a.alerts) {
      os << " (";
      bool first = true;
      for (int i = 4; i >= 0; --i) {
        if (!a.by_severity[i]) continue;
        os << (first ? "" : ", ") << detect::severity_name(static_cast<detect::Severity>(i)) << " " << grouped(a.by_severity[i]);
        first = false;
      }
      os << ")";
    }
    if (a.allowed) os << ", " << grouped(a.allowed) << " allowed by the configuration";
    os << "\n";
  }
  if (!s.warnings.empty()) os << "  warnings    " << s.warnings.size() << " (see stderr)\n";
  os << "  output      " << s.outdir << "/events.jsonl, " << s.outdir << "/medsentry.db\n";
}

}  // namespace ms
