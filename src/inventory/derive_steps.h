// The derivation's working state for one device and the steps that fill it
// (derive.cc runs them in a fixed order, kSteps). Each step reads what the
// steps before it left in DeviceFacts and adds candidates, sets or columns;
// a step that finds the key is no device of ours sets `skip` and the chain
// stops. Internal to src/inventory/.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "events/event.h"
#include "inventory/cloud_facts.h"
#include "inventory/derive_field.h"
#include "inventory/knowledge.h"
#include "inventory/observe.h"
#include "inventory/store.h"

namespace ms::inv {

// The ranked fields of a record, in the order of its `conclusions`.
enum FieldId { kManufacturer, kModel, kVersion, kSerial, kType, kClass, kOs, kHostname, kFieldCount };
extern const char* const kFieldNames[kFieldCount];

struct Service {
  std::string proto, app, security;
  unsigned port = 0;
  TimeNs first = 0, last = 0;
  uint64_t flows = 0, bytes = 0;
};

struct Peer {
  std::string direction, ip, service;
  TimeNs first = 0, last = 0;
  uint64_t flows = 0, bytes = 0;
};

using Row = ObservationRow;

struct DeviceFacts {
  DeviceFacts(const std::string& k, const std::vector<Row>& r, bool gw)
      : key(k), rows(r), is_mac(k.rfind("mac:", 0) == 0), gateway(gw) {}

  // Input: the device key, its observations, whether it forwards for others.
  const std::string& key;
  const std::vector<Row>& rows;
  const bool is_mac;
  const bool gateway;

  // Output: the `devices` row; `skip` when the key is a peer, not a device.
  DeviceRecord out;
  bool skip = false;

  // Candidates per field, then (choose_identity) ranked.
  Field fields[kFieldCount];
  std::vector<Candidate> ranked[kFieldCount];
  const EolEntry* eol = nullptr;

  // Addresses with their first and last sight, and who said so.
  std::map<std::string, std::pair<TimeNs, TimeNs>> ips;
  std::map<std::string, std::set<std::string>> ip_sources;
  // Values listed as they are in the record.
  std::set<std::string> vlans, ae_titles, hl7_apps, equipment, dns_names, phi, roles, dicom_roles, cleartext_logins,
      default_creds, tls_weak, tls_versions, institutions, smb_dialects, ftp_data, hl7_from, vendor_classes;
  // Software that runs on the device, "name version" -> where it was read.
  std::map<std::string, std::set<std::string>> software;
  std::map<std::string, Service> services;  // "tcp/104"
  std::map<std::string, Peer> peers;        // "out|10.0.0.5|dicom"
  // Over the per-device caps (aggregate.h): "peer"/"service" -> observations, bytes.
  std::map<std::string, std::pair<uint64_t, uint64_t>> not_listed;
  std::vector<const Row*> dicom_objects;

  // Texts the signatures read: a row, and the attribute name a signature
  // names for it ("any" for free identity texts).
  std::vector<std::pair<const Row*, const char*>> texts;
  // Rows made here (object models, the IEEE name) that `texts` points at: a
  // deque, so that their addresses stay put.
  std::deque<Row> made;
  Row ieee;  // the MAC's IEEE organisation, as a row of evidence
  CloudFacts cloud;  // the maker clouds it calls (derive_cloud.h)
};

// A gateway's flows carry the addresses it forwards for: only its
// link-local ones (they never cross a router) are its own.
inline bool forwarded_for_others(bool gateway, const std::string& source, const std::string& ip) {
  return gateway && source == "flow" && !link_local_address(ip);
}

std::vector<std::string> split(const std::string& s, char sep);

// The steps, in the order derive.cc runs them.
// derive_read.cc: every observation through the reader of its attribute.
void read_observations(DeviceFacts& f);
// derive_steps.cc:
void span_and_own_address(DeviceFacts& f);
void identity_from_ieee(DeviceFacts& f);
void list_addresses(DeviceFacts& f);
void drop_ftp_data_ports(DeviceFacts& f);
void keep_devices_of_ours(DeviceFacts& f);
void identity_from_dicom_objects(DeviceFacts& f);
void identity_from_signatures(DeviceFacts& f);
void versions_from_texts(DeviceFacts& f);
void type_from_roles(DeviceFacts& f);
void choose_identity(DeviceFacts& f);
void choose_type_and_class(DeviceFacts& f);
void os_and_end_of_life(DeviceFacts& f);
void primary_address(DeviceFacts& f);
// derive_record.cc:
void write_record(DeviceFacts& f);
void write_digest(DeviceFacts& f);

// The `device` event of a new (old_digest empty) or changed device.
Event device_event(const DeviceRecord& d, const std::string& old_digest);

}  // namespace ms::inv
