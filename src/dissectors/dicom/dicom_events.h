// The DICOM events as structs (ARCHITECTURE.md "events"): `dicom` (one
// association), `dicom_command` (one completed DIMSE operation) and
// `dicom_file` (a Part 10 file inside another protocol's payload). The
// inventory observer and the detection rules read these members;
// dicom_log.cc writes them as JSON (the only code that knows the keys).
// Patient fields hold tokens, never values; no passcode is ever kept here.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dissectors/dicom/dicom_object.h"
#include "dissectors/dicom/dicom_parser.h"
#include "events/event.h"

namespace ms::dicom {

constexpr size_t kMaxListed = 32;  // SOP classes, move destinations, patients listed per association

// One association: what its A-ASSOCIATE, release or abort said, and what it
// carried (PS3.8 §7, §9.3).
struct DicomEvent : TypedEvent {
  bool have_rq = false, have_ac = false, have_rj = false, have_abort = false;
  bool release_rq = false, release_rp = false;
  Associate rq, ac;  // the user identity's passcode is wiped before
  Reject reject;
  Abort abort;
  uint64_t pdus[8] = {};  // by PDU type
  std::map<std::string, uint64_t> commands;  // by command name
  std::map<std::string, uint64_t> statuses;  // by status class
  std::set<std::string> stored_sop_classes, move_destinations;  // capped at kMaxListed
  uint64_t stores = 0, finds = 0, find_matches = 0, moves = 0, gets = 0;
  uint64_t dataset_bytes = 0;
  ObjectInfo identity;              // the first stored object's device identity (no patient fields)
  std::set<std::string> patients;   // distinct patient tokens (kMaxListed of them written)
  uint64_t datasets_not_parsed = 0, gaps = 0;
  bool picked_up_midstream = false;

  // The AE titles: those of the A-ASSOCIATE-RQ, else of the -AC; "" if neither came.
  const std::string& calling_ae() const { return have_rq ? rq.calling_ae : have_ac ? ac.calling_ae : kNone; }
  const std::string& called_ae() const { return have_rq ? rq.called_ae : have_ac ? ac.called_ae : kNone; }
  bool accepted() const { return have_ac; }
  // accepted, rejected, no_response or unknown.
  const char* result() const;
  // Implementation version names (PS3.7 D.3.3.2) of the requestor and acceptor.
  const std::string& implementation_version() const { return have_rq ? rq.implementation_version : kNone; }
  const std::string& implementation_version_ac() const { return have_ac ? ac.implementation_version : kNone; }
  bool phi() const { return !patients.empty(); }
  bool sent(const char* command) const { return commands.count(command) != 0; }
  void write_json(JsonWriter& w) const;

 private:
  static inline const std::string kNone;
  void write_associate(JsonWriter& w, const Associate& a, bool is_rq) const;
  void write_contexts(JsonWriter& w) const;
  void write_counts(JsonWriter& w) const;
};

// A C-FIND query key (PS3.4 C.2.2.2): attribute keyword, matching kind,
// and the value when it is not PHI (PHI values are tokens).
struct QueryKey {
  std::string key, match, value;
};

// One completed DIMSE operation: the request with its final response.
struct DicomCommandEvent : TypedEvent {
  uint16_t field = 0;  // the request's command field (PS3.7 E.1)
  uint16_t message_id = 0;  // the id the response answered
  std::string sop_class, sop_instance, move_destination;
  bool has_status = false;
  uint16_t status = 0;
  uint32_t matches = 0;  // pending responses (C-FIND, C-GET)
  bool has_counts = false;
  uint16_t completed = 0, failed = 0, warning = 0;
  ObjectInfo object;  // C-STORE: the stored object (patient fields: tokens)
  std::string level;  // C-FIND: query/retrieve level
  std::vector<QueryKey> keys;
  double latency_ms = 0;

  const char* command() const { return command_name(field); }
  const char* sop_class_name() const { return uid_name(sop_class); }  // "" if unknown
  bool has_object() const { return field == 0x0001 && !(object.empty() && object.patient_id.empty()); }
  bool has_query() const { return field == 0x0020 && !keys.empty(); }
  void write_json(JsonWriter& w) const;
};

// A DICOM Part 10 file seen in another protocol's payload.
struct DicomFileEvent : TypedEvent {
  std::string transport;  // http, smb, tcp
  bool to_server = true;  // direction
  std::string preamble;   // zeros, tiff, pe, elf, macho, script, other
  std::string transfer_syntax, sop_class, sop_instance;
  ObjectInfo object;  // patient fields: tokens
  bool phi = false;

  // CVE-2019-11687: a preamble that is an executable's header.
  bool executable_preamble() const { return preamble == "pe" || preamble == "elf" || preamble == "macho"; }
  const char* sop_class_name() const { return uid_name(sop_class); }
  const char* direction() const { return to_server ? "to_server" : "to_client"; }
  void write_json(JsonWriter& w) const;
};

}  // namespace ms::dicom
