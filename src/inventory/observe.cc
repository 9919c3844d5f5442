// Event -> observations, one function per event type (docs/inventory.md has
// the table with the reasons for each confidence).
#include "inventory/observe.h"

#include <cstring>

#include "common/cidr.h"
#include "common/find.h"
#include "common/json_reader.h"
#include "dissectors/text.h"
#include "inventory/knowledge.h"

namespace ms::inv {

namespace {

// Confidence of what a source says about the device it comes from.
constexpr float kStated = 0.9f;    // the device names itself in a structured field (DICOM tags, LLDP-MED, DHCP option)
constexpr float kDescribed = 0.8f; // free text the device writes about itself (sysDescr, banners, titles)
constexpr float kNamed = 0.7f;     // names it claims (NetBIOS, mDNS, LLDP system name)
constexpr float kSaid = 0.5f;      // what another host says about it (DNS answers, called AE titles)
constexpr float kHint = 0.3f;      // indirect (TTL)

unsigned initial_ttl(unsigned ttl) {
  if (ttl == 0) return 0;
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

struct Ctx {
  const Event& e;
  const ObservationSink& out;
  std::string src, dst;  // ip keys of the envelope ("" if none)
  TimeNs last = 0;       // a flow's end (0: the event's own time)

  void add(std::string_view dev, const char* attr, std::string_view value, const char* source, float conf,
           uint64_t bytes = 0) const {
    if (dev.empty() || value.empty() || value.size() > 512) return;
    Observation o;
    o.device = dev;
    o.attr = attr;
    o.value = value;
    o.source = source;
    o.confidence = conf;
    o.ts = e.ts;
    o.flow_id = e.flow_id;
    o.bytes = bytes;
    o.ts_last = last;
    out(std::move(o));
  }
};

inline std::string_view str(const JsonValue* v, std::string_view key) { return json_str(v, key); }
inline bool truthy(const JsonValue* v, std::string_view key) { return json_true(v, key); }

// Cleartext or encrypted, by application protocol ("" when unknown).
const char* transport_security(std::string_view app) {
  static const char* kClear[] = {"dicom", "hl7", "http", "fhir", "ftp", "telnet", "snmp", "dns", "dhcp", "smb", "ssdp", "tftp"};
  static const char* kEnc[] = {"tls", "ssh", "rdp"};
  for (const char* c : kClear) {
    if (app == c) return "cleartext";
  }
  for (const char* c : kEnc) {
    if (app == c) return "encrypted";
  }
  return "";
}

void observe_flow(const Ctx& c, const FlowRow& f) {
  std::string proto = f.proto == "TCP" ? "tcp" : f.proto == "UDP" ? "udp" : f.proto == "ICMP" ? "icmp" : f.proto == "IPv6-ICMP" ? "icmp6" : f.proto;
  for (int d = 0; d < 2; ++d) {
    const std::string& ip = d == 0 ? c.src : c.dst;
    if (!f.has_mac[d]) continue;
    std::string m = mac_key(text::mac(Bytes(f.mac[d], 6)));
    if (m.empty()) continue;
    if (!ip.empty()) c.add(m, "ip", ip.substr(3), "flow", 0.6f);
    if (!f.vlan.empty()) c.add(m, "vlan", f.vlan, "flow", kStated);
  }
  // An address is a device only once it has taken part in a conversation:
  // the flow was answered, or its client sent payload. A SYN (or an ICMP
  // echo, a datagram) that nothing answered says nothing of its spoofable
  // source or of a target that may not exist: a flood from a million spoofed
  // sources, or a /16 sweep, would otherwise become a million devices (Zeek's
  // known_hosts likewise counts only hosts that completed a handshake). Their
  // MAC addresses above are evidence enough of a host on the wire; the
  // detections see every attempt.
  if (!f.answered && !f.data[0]) return;
  // TTLs of TCP only: ICMPv6 neighbour discovery and mDNS send 255 by rule.
  for (int d = 0; d < 2 && proto == "tcp"; ++d) {
    const std::string& dev = d == 0 ? c.src : c.dst;
    if (f.ttl[d]) c.add(dev, "ttl", std::to_string(initial_ttl(f.ttl[d])), "flow.ttl", kHint);
  }
  uint64_t bytes = f.bytes_toserver + f.bytes_toclient;
  bool ported = proto == "tcp" || proto == "udp";
  std::string svc = ported ? proto + "/" + std::to_string(f.dest_port) : proto;
  if (f.app_proto != "unknown" && !f.app_proto.empty()) svc += "/" + f.app_proto;
  // Services: the responder of an answered flow offers what was asked for.
  if (f.answered && ported && !c.dst.empty()) {
    std::string v = svc;
    if (const char* sec = transport_security(f.app_proto); *sec) v += std::string("|") + sec;
    c.add(c.dst, "service", v, "flow", kStated, bytes);
  }
  // Peers: who talks to whom, on what, with the volume.
  if (!c.src.empty() && !c.dst.empty()) {
    c.add(c.src, "peer", "out|" + c.dst.substr(3) + "|" + svc, "flow", kStated, bytes);
    c.add(c.dst, "peer", "in|" + c.src.substr(3) + "|" + svc, "flow", kStated, bytes);
  }
  // Being seen at all (first/last seen of devices known only by address);
  // a peer observation already says so.
  if (c.dst.empty()) c.add(c.src, "seen", "flow", "flow", kStated);
  if (f.answered && !ported) c.add(c.dst, "seen", "flow", "flow", kStated);  // an ICMP reply
}

void observe_dhcp(const Ctx& c, const JsonValue& d) {
  std::string m = mac_key(str(&d, "client_mac"));
  std::string_view type = str(&d, "dhcp_type");
  c.add(m, "hostname", str(&d, "hostname"), "dhcp.hostname", kStated);
  c.add(m, "hostname", str(&d, "fqdn"), "dhcp.fqdn", kStated);
  c.add(m, "dhcp_vendor_class", str(&d, "vendor_class"), "dhcp.vendor_class", kStated);
  if (str(&d, "type") == "request") c.add(m, "dhcp_fingerprint", str(&d, "param_fingerprint"), "dhcp.params", kStated);
  if (type == "offer" || type == "ack") {
    // The server names itself (option 54): it offers DHCP.
    std::string server = ip_key(str(&d, "server_id"));
    c.add(server, "service", "udp/67/dhcp|cleartext", "dhcp.server_id", kStated);
    c.add(server, "role", "dhcp_server", "dhcp", kStated);
  }
  if (type == "ack") {
    std::string_view a = str(&d, "assigned_ip");
    if (!ip_key(a).empty()) c.add(m, "ip", a, "dhcp.ack", 0.95f);
    // The routers it hands out.
    if (const JsonValue* r = d.get("routers")) {
      for (const JsonValue& x : r->items) c.add(ip_key(x.str()), "role", "gateway", "dhcp.router", kStated);
    }
  }
}

void observe_dns(const Ctx& c, const JsonValue& d) {
  std::string_view proto = str(&d, "protocol");
  if (const JsonValue* h = d.get("host_names")) {
    // The claimant: the address its own A/AAAA records give, else the
    // sender (queries and multicast answers come from the flow's client; a
    // unicast answer from its server).
    std::string sender = str(&d, "type") == "response" && !c.dst.empty() ? c.dst : c.src;
    const char* src = proto == "mdns" ? "dns.mdns.self" : proto == "llmnr" ? "dns.llmnr.self" : proto == "nbns" ? "dns.nbns.self" : "dns.dns.self";
    for (const JsonValue& x : h->items) {
      std::string dev = sender;
      for (const char* sec : {"answers", "additionals"}) {
        if (const JsonValue* rrs = d.get(sec)) {
          for (const JsonValue& rr : rrs->items) {
            std::string_view t = str(&rr, "rrtype");
            if ((t == "A" || t == "AAAA") && str(&rr, "rrname") == x.str() && !ip_key(str(&rr, "rdata")).empty()) {
              dev = ip_key(str(&rr, "rdata"));
            }
          }
        }
      }
      c.add(dev, "hostname", x.str(), src, kNamed);
    }
  }
  if (str(&d, "type") != "response" || proto != "dns") return;
  if (const JsonValue* a = d.get("answers")) {
    for (const JsonValue& rr : a->items) {
      std::string_view t = str(&rr, "rrtype"), name = str(&rr, "rrname"), rdata = str(&rr, "rdata");
      // Names of the hospital's own addresses only: the inventory has no use
      // for the internet's.
      if ((t == "A" || t == "AAAA") && internal_address(rdata)) c.add(ip_key(rdata), "dns_name", name, "dns.answer", kSaid);
      if (t == "PTR" && name.size() > 13 && name.substr(name.size() - 13) == ".in-addr.arpa") {
        // 4.3.2.1.in-addr.arpa -> 1.2.3.4
        std::string_view q = name.substr(0, name.size() - 13);
        std::string ip;
        size_t end = q.size();
        for (int i = 0; i < 4; ++i) {
          size_t dot = q.rfind('.', end - 1);
          size_t start = dot == std::string_view::npos ? 0 : dot + 1;
          if (!ip.empty()) ip += '.';
          ip += q.substr(start, end - start);
          if (dot == std::string_view::npos) break;
          end = dot;
        }
        if (internal_address(ip)) c.add(ip_key(ip), "dns_name", rdata, "dns.ptr", kSaid);
      }
    }
  }
  c.add(c.dst, "role", "dns_server", "dns", kStated);
}

void observe_snmp(const Ctx& c, const JsonValue& d) {
  std::string_view pdu = str(&d, "pdu_type");
  bool from_agent = pdu == "get_response" || pdu == "response" || pdu.find("trap") != std::string_view::npos ||
                    pdu == "inform_request" || pdu == "report";
  if (!from_agent) return;
  const JsonValue* vals = d.get("values");
  if (!vals) return;
  // Event addresses are the flow's: a response comes from its server, a
  // trap or inform from its client.
  bool trap = pdu.find("trap") != std::string_view::npos || pdu == "inform_request";
  const std::string& agent = trap ? c.src : c.dst;
  for (const JsonValue& v : vals->items) {
    std::string_view n = str(&v, "name"), val = str(&v, "value");
    if (n == "sys_descr") c.add(agent, "description", val, "snmp.sys_descr", kDescribed);
    else if (n == "sys_object_id") c.add(agent, "snmp_object_id", val, "snmp.sys_object_id", kStated);
    else if (n == "sys_name") c.add(agent, "hostname", val, "snmp.sys_name", kNamed);
    else if (n == "ent_model_name") c.add(agent, "model", val, "snmp.ent_model_name", kStated);
    else if (n == "ent_mfg_name") c.add(agent, "manufacturer", val, "snmp.ent_mfg_name", kStated);
    else if (n == "ent_serial") c.add(agent, "serial", val, "snmp.ent_serial", kStated);
    else if (n == "ent_firmware_rev" || n == "ent_software_rev") c.add(agent, "version", val, "snmp.ent_rev", kStated);
    else if (n == "ent_descr") c.add(agent, "description", val, "snmp.ent_descr", kDescribed);
  }
}

void observe_lldp_cdp(const Ctx& c, const JsonValue& d, bool lldp) {
  std::string m = mac_key(str(&d, "src_mac"));
  if (lldp) {
    c.add(m, "hostname", str(&d, "system_name"), "lldp.system_name", kNamed);
    c.add(m, "description", str(&d, "system_description"), "lldp.system_description", kDescribed);
    c.add(m, "manufacturer", str(&d, "manufacturer"), "lldp.med", kStated);
    c.add(m, "model", str(&d, "model"), "lldp.med", kStated);
    c.add(m, "serial", str(&d, "serial"), "lldp.med", kStated);
    std::string_view fw = str(&d, "firmware_rev");
    c.add(m, "version", fw.empty() ? str(&d, "software_rev") : fw, "lldp.med", kStated);
    if (const JsonValue* caps = d.get("capabilities_enabled")) {
      for (const JsonValue& x : caps->items) {
        if (x.str() == "router" || x.str() == "bridge" || x.str() == "wlan_access_point") {
          c.add(m, "role", "network", "lldp.capabilities", kStated);
        }
      }
    }
  } else {
    c.add(m, "hostname", str(&d, "device_id"), "cdp.device_id", kNamed);
    c.add(m, "model", str(&d, "platform"), "cdp.platform", kStated);
    c.add(m, "description", str(&d, "software_version"), "cdp.software_version", kDescribed);
    if (const JsonValue* caps = d.get("capabilities")) {
      for (const JsonValue& x : caps->items) {
        std::string_view s = x.str();
        if (s.find("router") != std::string_view::npos || s.find("switch") != std::string_view::npos ||
            s.find("bridge") != std::string_view::npos) {
          c.add(m, "role", "network", "cdp.capabilities", kStated);
        }
      }
    }
  }
  if (const JsonValue* a = d.get("management_addresses")) {
    for (const JsonValue& x : a->items) {
      std::string k = ip_key(x.str());
      if (!k.empty()) c.add(m, "ip", x.str(), lldp ? "lldp.management_address" : "cdp.management_address", kNamed);
    }
  }
}

void observe_hl7(const Ctx& c, const JsonValue& d) {
  // Event addresses are the flow's (src: the client). A message is the
  // client's; a lone acknowledgement (ack_code at the top) the server's.
  bool ack = d.get("ack_code") != nullptr;
  const std::string& sender = ack ? c.dst : c.src;
  const std::string& receiver = ack ? c.src : c.dst;
  c.add(sender, "hl7_app", str(&d, "sending_application"), "hl7.sending_application", kStated);
  c.add(receiver, "hl7_app", str(&d, "receiving_application"), "hl7.receiving_application", kSaid);
  if (const JsonValue* eq = d.get("equipment")) {
    for (const JsonValue& x : eq->items) c.add(sender, "equipment", x.str(), "hl7.obx18", kStated);
  }
  if (truthy(&d, "phi")) {
    c.add(c.src, "phi", "hl7", "hl7", kStated);
    c.add(c.dst, "phi", "hl7", "hl7", kStated);
  }
  c.add(receiver, "role", "hl7_receiver", "hl7", kStated);
}

void observe_dicom(const Ctx& c, const JsonValue& d) {
  if (str(&d, "result") != "accepted") return;  // scanners guess AE titles
  c.add(c.src, "ae_title", str(&d, "calling_ae"), "dicom.calling_ae", kStated);
  c.add(c.dst, "ae_title", str(&d, "called_ae"), "dicom.called_ae", kStated);
  c.add(c.src, "dicom_implementation", str(&d, "implementation_version"), "dicom.implementation", kStated);
  c.add(c.dst, "dicom_implementation", str(&d, "implementation_version_ac"), "dicom.implementation", kStated);
}

// DICOM identity tags of an object: they describe the device that made it,
// which is the sender of a C-STORE unless the sender forwards (a PACS
// answering a C-MOVE). The inventory decides at derivation (docs/inventory.md).
void observe_object(const Ctx& c, const std::string& dev, const JsonValue& o, const char* source) {
  std::string_view manu = str(&o, "manufacturer"), model = str(&o, "model");
  std::string_view station = str(&o, "station_name");
  // One value ties the tags together, so that conflicting objects stay apart.
  std::string ident = std::string(manu) + "|" + std::string(model) + "|" + std::string(str(&o, "software_versions")) +
                      "|" + std::string(str(&o, "serial_number")) + "|" + std::string(station) + "|" +
                      std::string(str(&o, "modality"));
  if (manu.empty() && model.empty() && station.empty()) return;
  c.add(dev, "dicom_object", ident, source, kStated);
  c.add(dev, "institution", str(&o, "institution"), source, kStated);
}

void observe_dicom_command(const Ctx& c, const JsonValue& d) {
  std::string_view cmd = str(&d, "command");
  std::string_view sop = str(&d, "sop_class");
  if (cmd == "C-STORE-RQ") {
    c.add(c.dst, "dicom_role", "store_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", "store_scu", "dicom", kStated);
    if (const JsonValue* o = d.get("object")) observe_object(c, c.src, *o, "dicom.c_store");
  } else if (cmd == "C-FIND-RQ") {
    bool worklist = sop.rfind("1.2.840.10008.5.1.4.31", 0) == 0;
    c.add(c.dst, "dicom_role", worklist ? "worklist_scp" : "query_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", worklist ? "worklist_scu" : "query_scu", "dicom", kStated);
  } else if (cmd == "C-MOVE-RQ" || cmd == "C-GET-RQ") {
    c.add(c.dst, "dicom_role", "retrieve_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", "retrieve_scu", "dicom", kStated);
  }
  if (const JsonValue* o = d.get("object")) {
    if (o->get("patient_id") || o->get("patient_name")) {
      c.add(c.src, "phi", "dicom", "dicom", kStated);
      c.add(c.dst, "phi", "dicom", "dicom", kStated);
    }
  }
  if (const JsonValue* q = d.get("query")) {
    if (const JsonValue* keys = q->get("keys")) {
      for (const JsonValue& k : keys->items) {
        std::string_view n = str(&k, "key");
        if (n.rfind("Patient", 0) == 0 && !str(&k, "value").empty()) {
          c.add(c.src, "phi", "dicom", "dicom", kStated);
          c.add(c.dst, "phi", "dicom", "dicom", kStated);
          break;
        }
      }
    }
  }
}

void observe_dicom_file(const Ctx& c, const JsonValue& d) {
  // Written (uploaded) files come from the writer; a read file comes from
  // storage and says nothing of the server that holds it.
  std::string_view dir = str(&d, "direction");
  const JsonValue* o = d.get("object");
  if (o && dir == "to_server") observe_object(c, c.src, *o, "dicom_file");
  if (truthy(&d, "phi")) {
    std::string t = std::string(str(&d, "transport"));
    c.add(c.src, "phi", t.empty() ? "dicom_file" : t, "dicom_file", kStated);
    c.add(c.dst, "phi", t.empty() ? "dicom_file" : t, "dicom_file", kStated);
  }
}

void observe_http(const Ctx& c, const JsonValue& d) {
  c.add(c.dst, "http_server", str(&d, "server"), "http.server", kDescribed);
  c.add(c.dst, "http_title", str(&d, "title"), "http.title", kDescribed);
  // The realm of a login prompt names the product as often as a title does.
  c.add(c.dst, "http_title", str(&d, "www_authenticate_realm"), "http.realm", kDescribed);
  c.add(c.src, "user_agent", str(&d, "http_user_agent"), "http.user_agent", kDescribed);
}

void observe_tls(const Ctx& c, const JsonValue& d) {
  if (const JsonValue* cert = d.get("certificate")) c.add(c.dst, "tls_subject", str(cert, "subject"), "tls.certificate", kSaid);
  c.add(c.dst, "dns_name", str(&d, "sni"), "tls.sni", kSaid);
  if (const JsonValue* cl = d.get("client")) {
    if (const JsonValue* ja3 = cl->get("ja3")) c.add(c.src, "ja3", str(ja3, "hash"), "tls.ja3", kStated);
  }
  if (const JsonValue* w = d.get("weak")) {
    for (const JsonValue& x : w->items) c.add(c.dst, "tls_weak", x.str(), "tls.weak", kStated);
  }
  c.add(c.dst, "tls_version", str(&d, "version"), "tls.version", kStated);
}

void observe_ssh(const Ctx& c, const JsonValue& d) {
  for (int side = 0; side < 2; ++side) {
    const JsonValue* s = d.get(side == 0 ? "client" : "server");
    const std::string& dev = side == 0 ? c.src : c.dst;
    if (!s) continue;
    std::string sw(str(s, "software_version"));
    std::string_view com = str(s, "comments");
    if (!com.empty()) sw += " " + std::string(com);
    c.add(dev, "ssh_software", sw, "ssh.banner", kDescribed);
    if (const JsonValue* hk = s->get("host_key")) c.add(dev, "ssh_host_key", str(hk, "sha256"), "ssh.host_key", kStated);
  }
}

void observe_smb(const Ctx& c, const JsonValue& d) {
  if (const JsonValue* n = d.get("ntlmssp")) {
    c.add(c.src, "ntlm_version", str(n, "version"), "smb.ntlmssp", kStated);
    c.add(c.dst, "ntlm_version", str(n, "server_version"), "smb.ntlmssp", kStated);
    c.add(c.src, "hostname", str(n, "host"), "smb.ntlmssp.workstation", kNamed);
    c.add(c.dst, "hostname", str(n, "server_nb_computer"), "smb.ntlmssp.server", kNamed);
    c.add(c.dst, "dns_name", str(n, "server_dns_computer"), "smb.ntlmssp.server", kNamed);
  }
  c.add(c.dst, "smb_os", str(&d, "server_os"), "smb.native_os", kDescribed);
  const JsonValue* v = d.get("version");
  if (v && v->type == JsonValue::kNumber && v->text == "1") c.add(c.dst, "smb_dialect", "SMB1", "smb", kStated);
}

void observe_credential(const Ctx& c, const JsonValue& d) {
  std::string_view p = str(&d, "protocol");
  std::string_view method = str(&d, "method");
  bool clear = p == "ftp" || p == "telnet" || p == "snmp" || (p == "http" && method != "ntlm") || p == "dicom";
  if (clear) c.add(c.dst, "cleartext_login", p, "credential", kStated);
  if (truthy(&d, "default_credential") && str(&d, "result") != "failure") {
    c.add(c.dst, "default_credential", p, "credential", kStated);
  }
}

void observe_text(const Ctx& c, const JsonValue& d, const char* field, const char* source) {
  c.add(c.dst, "banner", str(&d, field), source, kDescribed);
  // FTP passive data ports: the server's, but not services it offers.
  if (const JsonValue* dc = d.get("data_channel")) {
    const JsonValue* port = dc->get("port");
    std::string host = ip_key(str(dc, "host"));
    if (host.empty()) host = c.dst;  // EPSV gives only a port, on the server
    if (port && port->type == JsonValue::kNumber) c.add(host, "ftp_data_port", port->text, "ftp", kStated);
  }
}

void observe_ssdp(const Ctx& c, const JsonValue& d) {
  // NOTIFY and responses come from the device described.
  if (!str(&d, "method").empty() && str(&d, "method") != "NOTIFY") return;
  c.add(c.src, "ssdp_server", str(&d, "server"), "ssdp.server", kDescribed);
}

void observe_rdp(const Ctx& c, const JsonValue& d) {
  c.add(c.src, "hostname", str(&d, "client_name"), "rdp.client_name", kNamed);
}

void observe_fhir(const Ctx& c, const JsonValue& d) {
  c.add(c.dst, "role", "fhir_server", "fhir", kStated);
  if (truthy(&d, "phi")) {
    c.add(c.src, "phi", "fhir", "fhir", kStated);
    c.add(c.dst, "phi", "fhir", "fhir", kStated);
  }
}

void observe_arp(const Ctx& c, const JsonValue& d) {
  std::string_view ip = str(&d, "sender_ip");
  if (!ip_key(ip).empty()) c.add(mac_key(str(&d, "sender_mac")), "ip", ip, "arp", 0.9f);
}

}  // namespace

bool internal_address(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return false;
  if (v4) return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
  return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

bool link_local_address(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return false;
  return v4 ? (b[0] == 169 && b[1] == 254) : (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

std::string ip_key(std::string_view ip) {
  uint8_t b[16];
  bool v4;
  if (!parse_ip(ip, b, v4)) return "";
  if (v4 && (b[0] == 0 || b[0] == 127 || b[0] >= 224)) return "";  // this-network, loopback, multicast, broadcast
  static const uint8_t zero[15] = {};
  if (!v4 && (b[0] == 0xff || std::memcmp(b, zero, 15) == 0)) return "";  // multicast, :: and ::1
  std::string key;
  key.reserve(3 + ip.size());
  key.append("ip:").append(ip);
  return key;
}

std::string mac_key(std::string_view mac) {
  uint8_t m[6];
  if (!parse_mac(mac, m) || (m[0] & 1)) return "";  // not a MAC, or a group address
  if (mac == "00:00:00:00:00:00") return "";
  return "mac:" + std::string(mac);
}

namespace {

// Every event type the inventory reads (besides flows), with its mapping.
struct Mapping {
  const char* type;
  void (*fn)(const Ctx&, const JsonValue&);
};
constexpr Mapping kMappings[] = {
    {"dhcp", observe_dhcp},
    {"dns", observe_dns},
    {"snmp", observe_snmp},
    {"lldp", [](const Ctx& c, const JsonValue& d) { observe_lldp_cdp(c, d, true); }},
    {"cdp", [](const Ctx& c, const JsonValue& d) { observe_lldp_cdp(c, d, false); }},
    {"hl7", observe_hl7},
    {"dicom", observe_dicom},
    {"dicom_command", observe_dicom_command},
    {"dicom_file", observe_dicom_file},
    {"http", observe_http},
    {"tls", observe_tls},
    {"ssh", observe_ssh},
    {"smb", observe_smb},
    {"credential", observe_credential},
    {"telnet", [](const Ctx& c, const JsonValue& d) { observe_text(c, d, "banner", "telnet.banner"); }},
    {"ftp", [](const Ctx& c, const JsonValue& d) { observe_text(c, d, "banner", "ftp.banner"); }},
    {"ssdp", observe_ssdp},
    {"rdp", observe_rdp},
    {"fhir", observe_fhir},
    {"arp", observe_arp},
};

const Mapping* mapping_of(std::string_view t) {
  for (const Mapping& m : kMappings) {
    if (t == m.type) return &m;
  }
  return nullptr;
}

}  // namespace

bool observed_type(std::string_view t) { return t == "flow" || mapping_of(t) != nullptr; }

void observe(const Event& e, const ObservationSink& out) {
  const Mapping* m = nullptr;
  if (e.event_type != "flow") {
    m = mapping_of(e.event_type);
    if (!m) return;
    // Most DNS messages name nothing of ours: skip them before parsing.
    if (e.event_type == "dns" && !contains_text(e.json, "\"answers\"") && !contains_text(e.json, "\"host_names\""))
      return;
  }
  Ctx c{e, out, ip_key(e.src_ip), ip_key(e.dest_ip)};
  if (!m) {
    if (e.flow) {
      c.last = e.flow->end;
      observe_flow(c, *e.flow);
    }
    return;
  }
  JsonValue d;
  if (parse_json_member(e.json, e.event_type, d) != nullptr) return;
  if (d.type == JsonValue::kObject) m->fn(c, d);
}

}  // namespace ms::inv
