// The inventory's store (docs/inventory.md): the SQLite schema and every
// statement that reads or writes it. The aggregation writes observations
// through ObservationWriter; the derivation reads them back grouped by device
// and replaces the `devices` table through DeviceTable. Nothing else in
// src/inventory/ speaks SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/types.h"

namespace ms::inv {

// A capture set's identity: size and SHA-256 of the first and last MiB of
// each file, in order. Re-analysing the same files replaces their
// observations instead of adding them twice. Throws on an unreadable file.
std::string capture_key_of(const std::vector<std::string>& files);

// The default database: $MEDSENTRY_DB, else $XDG_DATA_HOME/medsentry/inventory.db,
// else ~/.local/share/medsentry/inventory.db.
std::string default_db_path();

// Confidences are stored and shown to two decimals.
inline double round2(double v) { return static_cast<double>(static_cast<int>(v * 100 + 0.5)) / 100; }

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
  // A prepared statement; throws with the database's message.
  sqlite3_stmt* prepare(const char* sql);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// One (device, attribute, value, source) of a run, aggregated in memory:
// what a row of `observations` holds besides its key.
struct Aggregate {
  float confidence = 0;
  TimeNs first = 0, last = 0;
  uint64_t count = 0, bytes = 0, flow_id = 0;
};

// A run's observations into the database. Registers the capture (by its
// key) and deletes its earlier observations, so a re-analysis replaces them;
// rows are upserted in transactions of at most 50,000.
class ObservationWriter {
 public:
  ObservationWriter(Db& db, const std::string& capture_key, const std::string& capture_files);
  ~ObservationWriter();
  ObservationWriter(const ObservationWriter&) = delete;
  ObservationWriter& operator=(const ObservationWriter&) = delete;
  int64_t capture_id() const { return capture_id_; }
  void write(const std::string& device, std::string_view attr, std::string_view value, std::string_view source,
             const Aggregate& g);
  // Ends the open transaction, if any.
  void commit();

 private:
  void begin();

  Db& db_;
  int64_t capture_id_ = 0;
  sqlite3_stmt* upsert_ = nullptr;
  bool in_tx_ = false;
  size_t tx_rows_ = 0;
};

// One observation of a device over every capture in the database (the
// derivation's input): grouped by (device, attribute, value, source).
struct ObservationRow {
  std::string attr, value, source;
  double conf = 0;
  TimeNs first = 0, last = 0;
  uint64_t count = 0, bytes = 0, flow_id = 0;
};

// Addresses some device claims to route for (a DHCP-announced router).
std::set<std::string> gateway_addresses(Db& db);

// Which addresses each MAC was seen with, by source, and when last.
struct IpBinding {
  std::string ip, source;
  TimeNs last;
};
std::map<std::string, std::vector<IpBinding>> ip_bindings(Db& db);

// The MAC device key that holds each address (`ip:` key), in a temporary
// table that the grouped read below joins: an address's observations then
// belong to its MAC's device.
void write_address_owners(Db& db, const std::map<std::string, std::string>& mac_of_ip);

// Every device's observations, one device at a time in key order (memory:
// one device's rows), with addresses resolved to their owner's MAC.
void for_each_device(Db& db, const std::function<void(const std::string& key, const std::vector<ObservationRow>& rows)>& fn);

// A derived device: the columns of the `devices` table (the full record is
// `record_json`).
struct DeviceRecord {
  std::string id, mac, mac_vendor, primary_ip, digest, record_json;
  std::string manufacturer, model, version, serial, type, cls, os, hostname;
  bool medical = false, os_eol = false;
  std::vector<std::string> ips;
  TimeNs first = 0, last = 0;
};

// The digest of every device in the table (to report what changed).
std::unordered_map<std::string, std::string> device_digests(Db& db);

// Replaces the `devices` table in one transaction: emptied on construction,
// filled by write(), committed by commit().
class DeviceTable {
 public:
  explicit DeviceTable(Db& db);
  ~DeviceTable();
  DeviceTable(const DeviceTable&) = delete;
  DeviceTable& operator=(const DeviceTable&) = delete;
  void write(const DeviceRecord& d);
  void commit();

 private:
  Db& db_;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace ms::inv
