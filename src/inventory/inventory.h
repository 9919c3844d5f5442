// The device inventory (docs/inventory.md): observations from the events of
// a run, aggregated in memory under a cap, merged into a persistent SQLite
// database, and turned into device records with evidence and confidence.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/event.h"
#include "inventory/observe.h"

namespace ms::inv {

struct Options {
  std::string db_path;
  size_t max_devices = 100000;  // device records held in memory during a run
  std::string capture_key;      // identifies the input (capture_key_of)
  std::string capture_files;    // for the captures table
};

struct Stats {
  uint64_t observations = 0;
  uint64_t evictions = 0;         // devices written out early because of max_devices
  uint64_t max_resident = 0;      // most device records held at once
  uint64_t dropped = 0;           // observations beyond a device's attribute cap
  uint64_t unseen_names = 0;      // addresses only named by DNS, never seen: not kept
  uint64_t devices = 0;           // devices in the database after the run
  uint64_t devices_new = 0;
  uint64_t devices_changed = 0;
};

// A capture set's identity: size and SHA-256 of the first and last MiB of
// each file, in order. Re-analysing the same files replaces their
// observations instead of adding them twice. Throws on an unreadable file.
std::string capture_key_of(const std::vector<std::string>& files);

// The default database: $MEDSENTRY_DB, else $XDG_DATA_HOME/medsentry/inventory.db,
// else ~/.local/share/medsentry/inventory.db.
std::string default_db_path();

// Opens (or creates) the inventory database; throws std::runtime_error with a
// one-line message. Shared by the analysis and the `inventory` command.
class Db {
 public:
  explicit Db(const std::string& path, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  sqlite3* handle() const { return db_; }
  void exec(const char* sql);
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Inventory {
 public:
  explicit Inventory(const Options& opt);
  ~Inventory();

  // Loads what the derivation will need (the IEEE registries, the
  // signatures), so that it costs nothing at the end of the run.
  void prepare();
  // Every event of the run, in one thread.
  void add(const Event& e);
  // Writes what is in memory, derives every device, and returns the `device`
  // events (new devices, changed conclusions), sorted by time.
  std::vector<Event> finish();
  const Stats& stats() const { return stats_; }
  // For the stages that store next to the devices (the detections' alerts).
  Db& db() { return *db_; }
  int64_t capture_id() const { return capture_id_; }

 private:
  struct Agg {
    float confidence = 0;
    TimeNs first = 0, last = 0;
    uint64_t count = 0, bytes = 0, flow_id = 0;
  };
  struct Device {
    std::unordered_map<std::string, Agg> attrs;  // attr \x1f value \x1f source
    std::list<std::string>::iterator lru;
  };
  void observe_one(Observation&& o);
  void write_out(const std::string& key, Device& d);
  void begin();
  void commit();

  Options opt_;
  std::unique_ptr<Db> db_;
  int64_t capture_id_ = 0;
  sqlite3_stmt* upsert_ = nullptr;
  bool in_tx_ = false;
  size_t tx_rows_ = 0;
  // Transparent: looked up by the observation's view without a copy.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Device, KeyHash, std::equal_to<>> devices_;
  std::list<std::string> lru_;  // most recent first
  std::string key_buf_;
  std::unordered_map<uint64_t, uint8_t> hl7_seen_;  // flow id -> messages read, PHI seen
  Stats stats_;
};

// Rebuilds the `devices` table from every observation in the database and
// returns the device events (diff against the table before). Exposed for
// tests and for `medsentry inventory --rebuild`.
std::vector<Event> derive_devices(Db& db, Stats& stats);

}  // namespace ms::inv
