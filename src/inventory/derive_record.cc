// The derivation's last steps: the device record as JSON (what
// `medsentry inventory --format json` shows), the digest that tells a
// changed device, and the `device` event (derive_steps.h).
#include <algorithm>
#include <iterator>
#include <tuple>

#include "common/json_writer.h"
#include "dissectors/text.h"
#include "inventory/derive_cloud.h"
#include "inventory/derive_steps.h"

namespace ms::inv {

namespace {

constexpr size_t kMaxPeersInRecord = 64;
constexpr size_t kMaxCandidates = 6;

// What a digest holds, in order; a `device` event names the ones that changed.
const char* kDigestFields[] = {"manufacturer", "model", "version", "serial", "type", "class", "os", "hostname", "ips", "services"};

void list(JsonWriter& w, const char* k, const std::set<std::string>& s) {
  w.key(k).begin_array();
  for (const auto& x : s) w.value(x);
  w.end_array();
}

void write_addresses(JsonWriter& w, DeviceFacts& f) {
  w.key("ips").begin_array();
  for (const auto& [ip, span] : f.ips) {
    w.begin_object().kv("ip", ip).kv("first_seen", format_time(span.first)).kv("last_seen", format_time(span.second));
    w.key("sources").begin_array();
    for (const auto& s : f.ip_sources[ip]) w.value(s);
    if (!f.is_mac) w.value("traffic");
    w.end_array().end_object();
  }
  w.end_array();
  list(w, "vlans", f.vlans);
}

void write_identity(JsonWriter& w, const DeviceFacts& f) {
  const DeviceRecord& d = f.out;
  w.kv("hostname", d.hostname);
  list(w, "dns_names", f.dns_names);
  w.kv("manufacturer", d.manufacturer);
  w.kv("model", d.model);
  w.kv("version", d.version);
  // Where the shown version was read (the exposure matching's input).
  const auto& versions = f.ranked[kVersion];
  if (!versions.empty() && !versions[0].evidence.empty()) w.kv("version_source", versions[0].evidence[0].source);
  w.kv("serial", d.serial);
  w.kv("type", d.type);
  w.kv("class", d.cls);
  w.kv("medical", d.medical);
  w.kv("os", d.os);
  if (!f.ranked[kOs].empty()) w.kv("os_confidence", round2(f.ranked[kOs][0].conf));
  if (f.eol) {
    w.key("os_eol").begin_object().kv("os", f.eol->os).kv("end_of_support", f.eol->end_of_support).kv("source", f.eol->source).end_object();
  }
  list(w, "ae_titles", f.ae_titles);
  list(w, "hl7_apps", f.hl7_apps);
  list(w, "equipment", f.equipment);
  list(w, "institutions", f.institutions);
  list(w, "dhcp_vendor_class", f.vendor_classes);
  w.key("software").begin_array();
  for (const auto& [sw, sources] : f.software) {
    w.begin_object().kv("software", sw);
    list(w, "sources", sources);
    w.end_object();
  }
  w.end_array();
}

void write_services(JsonWriter& w, const DeviceFacts& f) {
  w.key("services").begin_array();
  for (const auto& [k, s] : f.services) {
    w.begin_object().kv("proto", s.proto).kv("port", s.port);
    if (!s.app.empty()) w.kv("app", s.app);
    if (!s.security.empty()) w.kv("security", s.security);
    w.kv("flows", s.flows).kv("bytes", s.bytes).kv("first_seen", format_time(s.first)).kv("last_seen", format_time(s.last));
    w.end_object();
  }
  w.end_array();
}

// The peers by bytes, the top kMaxPeersInRecord shown; peer_count counts all.
void write_peers(JsonWriter& w, const DeviceFacts& f) {
  std::vector<const Peer*> pv;
  for (const auto& [k, p] : f.peers) pv.push_back(&p);
  std::sort(pv.begin(), pv.end(), [](const Peer* a, const Peer* b) {
    if (a->bytes != b->bytes) return a->bytes > b->bytes;
    return std::tie(a->ip, a->service, a->direction) < std::tie(b->ip, b->service, b->direction);
  });
  w.kv("peer_count", static_cast<uint64_t>(pv.size()));
  // What the caps did not keep: a hub's peers beyond kMaxPeersPerDevice.
  if (!f.not_listed.empty()) {
    w.key("not_listed").begin_object();
    for (const auto& [kind, n] : f.not_listed) {
      w.key(kind).begin_object().kv("observations", n.first).kv("bytes", n.second).end_object();
    }
    w.end_object();
  }
  w.key("peers").begin_array();
  for (size_t i = 0; i < pv.size() && i < kMaxPeersInRecord; ++i) {
    const Peer& p = *pv[i];
    w.begin_object().kv("direction", p.direction).kv("ip", p.ip).kv("service", p.service).kv("flows", p.flows);
    w.kv("bytes", p.bytes).kv("first_seen", format_time(p.first)).kv("last_seen", format_time(p.last)).end_object();
  }
  w.end_array();
}

void write_phi_exposure_roles(JsonWriter& w, const DeviceFacts& f) {
  w.key("phi").begin_object().kv("handles", !f.phi.empty());
  w.key("protocols").begin_array();
  for (const auto& p : f.phi) w.value(p);
  w.end_array().end_object();
  w.key("exposure").begin_object();
  list(w, "cleartext_logins", f.cleartext_logins);
  list(w, "default_credentials", f.default_creds);
  list(w, "tls_versions", f.tls_versions);
  list(w, "tls_weak", f.tls_weak);
  list(w, "smb_dialects", f.smb_dialects);
  w.end_object();
  w.key("roles").begin_array();
  for (const auto& r : f.roles) w.value(r);
  for (const auto& r : f.dicom_roles) w.value("dicom_" + r);
  w.end_array();
}

// Every conclusion with its candidates and their evidence: conflicts are
// shown, not overwritten.
void write_conclusions(JsonWriter& w, const DeviceFacts& f) {
  w.key("conclusions").begin_object();
  for (size_t i = 0; i < kFieldCount; ++i) {
    const std::vector<Candidate>& ranked = f.ranked[i];
    if (ranked.empty()) continue;
    w.key(kFieldNames[i]).begin_array();
    for (size_t n = 0; n < ranked.size() && n < kMaxCandidates; ++n) {
      const Candidate& c = ranked[n];
      w.begin_object().kv("value", c.value).kv("confidence", round2(c.conf));
      w.key("evidence").begin_array();
      for (const Evidence& e : c.evidence) {
        w.begin_object().kv("source", e.source).kv("observed", e.observed);
        if (e.flow_id) w.kv("flow_id", e.flow_id);
        w.kv("first_seen", format_time(e.first)).kv("last_seen", format_time(e.last)).kv("count", e.count).end_object();
      }
      w.end_array().end_object();
    }
    w.end_array();
  }
  w.end_object();
}

}  // namespace

void write_record(DeviceFacts& f) {
  const DeviceRecord& d = f.out;
  std::string js;
  JsonWriter w(js);
  w.begin_object();
  w.kv("id", d.id);
  if (!d.mac.empty()) {
    w.kv("mac", d.mac);
    w.kv("mac_vendor", d.mac_vendor);
    w.kv("randomized_mac", mac_locally_administered(d.mac));
  }
  if (f.gateway) w.kv("gateway", true);
  write_addresses(w, f);
  write_identity(w, f);
  write_services(w, f);
  write_peers(w, f);
  write_phi_exposure_roles(w, f);
  write_cloud(w, f);
  w.kv("first_seen", format_time(d.first));
  w.kv("last_seen", format_time(d.last));
  write_conclusions(w, f);
  w.end_object();
  f.out.record_json = std::move(js);
}

// What a `device` event reports a change of (kDigestFields).
void write_digest(DeviceFacts& f) {
  DeviceRecord& d = f.out;
  std::string svc;
  for (const auto& [k, s] : f.services) svc += k + ",";
  std::string ipl;
  for (const auto& ip : d.ips) ipl += ip + ",";
  d.digest = d.manufacturer + "\x1f" + d.model + "\x1f" + d.version + "\x1f" + d.serial + "\x1f" + d.type + "\x1f" + d.cls +
             "\x1f" + d.os + "\x1f" + d.hostname + "\x1f" + ipl + "\x1f" + svc;
}

Event device_event(const DeviceRecord& d, const std::string& old_digest) {
  Envelope env;
  std::vector<std::string> changed;
  if (!old_digest.empty()) {
    auto a = split(old_digest, '\x1f'), b = split(d.digest, '\x1f');
    for (size_t i = 0; i < b.size() && i < std::size(kDigestFields); ++i) {
      if (i >= a.size() || a[i] != b[i]) changed.push_back(kDigestFields[i]);
    }
  }
  env.ts = old_digest.empty() ? d.first : d.last;
  EventBuilder b(env, "device");
  JsonWriter& w = b.w();
  w.key("device").begin_object();
  w.kv("change", old_digest.empty() ? "new" : "changed");
  if (!changed.empty()) {
    w.key("changed").begin_array();
    for (const auto& c : changed) w.value(c);
    w.end_array();
  }
  w.kv("id", d.id);
  if (!d.mac.empty()) w.kv("mac", d.mac);
  if (!d.mac_vendor.empty()) w.kv("mac_vendor", d.mac_vendor);
  if (!d.primary_ip.empty()) w.kv("ip", d.primary_ip);
  w.key("ips").begin_array();
  for (const auto& ip : d.ips) w.value(ip);
  w.end_array();
  using text::opt;
  opt(w, "hostname", d.hostname);
  opt(w, "manufacturer", d.manufacturer);
  opt(w, "model", d.model);
  opt(w, "version", d.version);
  opt(w, "serial", d.serial);
  w.kv("type", d.type);
  w.kv("class", d.cls);
  w.kv("medical", d.medical);
  opt(w, "os", d.os);
  if (d.os_eol) w.kv("os_eol", true);
  w.kv("first_seen", format_time(d.first));
  w.kv("last_seen", format_time(d.last));
  w.end_object();
  return b.finish();
}

}  // namespace ms::inv
