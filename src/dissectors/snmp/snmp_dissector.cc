// SNMP dissector (UDP 161/162): one `snmp` event per message; a community
// string or a v3 user is a `credential` event (once per flow and secret),
// successful when the agent answered with it. Values of the system group and
// the entity MIB are named (sys_descr, ent_serial...): inventory evidence.
#include <algorithm>
#include <string>
#include <vector>

#include "dissectors/credential.h"
#include "dissectors/dissector.h"
#include "dissectors/snmp/snmp.h"

namespace ms::snmp {

namespace {

const char* value_name(const std::string& oid) {
  static const struct {
    const char* prefix;
    const char* name;
  } known[] = {
      {"1.3.6.1.2.1.1.1.0", "sys_descr"},      {"1.3.6.1.2.1.1.2.0", "sys_object_id"},
      {"1.3.6.1.2.1.1.3.0", "sys_uptime"},     {"1.3.6.1.2.1.1.4.0", "sys_contact"},
      {"1.3.6.1.2.1.1.5.0", "sys_name"},       {"1.3.6.1.2.1.1.6.0", "sys_location"},
      {"1.3.6.1.2.1.47.1.1.1.1.2.", "ent_descr"}, {"1.3.6.1.2.1.47.1.1.1.1.8.", "ent_hardware_rev"},
      {"1.3.6.1.2.1.47.1.1.1.1.9.", "ent_firmware_rev"}, {"1.3.6.1.2.1.47.1.1.1.1.10.", "ent_software_rev"},
      {"1.3.6.1.2.1.47.1.1.1.1.11.", "ent_serial"}, {"1.3.6.1.2.1.47.1.1.1.1.12.", "ent_mfg_name"},
      {"1.3.6.1.2.1.47.1.1.1.1.13.", "ent_model_name"},
  };
  for (const auto& k : known) {
    std::string_view p(k.prefix);
    if (p.back() == '.' ? oid.starts_with(p) : oid == p) return k.name;
  }
  return nullptr;
}

class SnmpDissector : public Dissector {
 public:
  AppResult on_data(Direction, Bytes d, AppContext& ctx) override {
    Message m;
    if (!parse(d, m)) {
      ctx.anomaly("snmp.malformed");
      return AppResult::ok();
    }
    write_event(m, ctx);
    secret(m, ctx);
    return AppResult::ok();
  }

  void on_end(AppContext& ctx) override {
    for (Secret& s : secrets_) {
      if (!s.emitted) emit(s, "unknown", ctx);
    }
  }

 private:
  struct Secret {
    std::string community, user;
    int version = 0;
    bool emitted = false;
  };

  void emit(Secret& s, const char* result, AppContext& ctx) {
    Credential c;
    c.protocol = "snmp";
    c.method = s.version == 3 ? "usm" : "community";
    c.username = s.user;
    c.password_seen = s.version != 3;
    c.password = s.community;
    c.result = result;
    emit_credential(ctx, c);
    s.emitted = true;
  }

  // A request (or trap) carries the secret; the agent's response with the
  // same community proves it right.
  void secret(const Message& m, AppContext& ctx) {
    if (m.version == 3 && m.user.empty()) return;
    auto it = std::find_if(secrets_.begin(), secrets_.end(), [&](const Secret& s) {
      return s.version == m.version && s.community == m.community && s.user == m.user;
    });
    bool response = m.pdu_tag == 0xa2 || m.pdu_tag == 0xa8;
    if (it == secrets_.end()) {
      if (secrets_.size() >= 8) return;
      secrets_.push_back({m.community, m.user, m.version, false});
      it = secrets_.end() - 1;
    }
    // A report names why a v3 request was refused: unknown user (usmStats
    // .3), wrong digest (.5), decryption error (.6). Engine discovery (.4)
    // and time sync (.2) are part of a normal v3 exchange.
    bool refused = false;
    if (m.pdu_tag == 0xa8) {
      response = false;
      for (const VarBind& v : m.vars) {
        refused = refused || v.oid.starts_with("1.3.6.1.6.3.15.1.1.3") || v.oid.starts_with("1.3.6.1.6.3.15.1.1.5") ||
                  v.oid.starts_with("1.3.6.1.6.3.15.1.1.6");
      }
    }
    if ((response || refused) && !it->emitted) emit(*it, refused ? "failure" : "success", ctx);
  }

  static void write_event(const Message& m, AppContext& ctx) {
    EventBuilder b(ctx.envelope(), "snmp");
    JsonWriter& w = b.w();
    w.key("snmp").begin_object();
    w.kv("version", m.version == 0 ? 1 : m.version == 1 ? 2 : 3);
    if (const char* n = pdu_name(m.pdu_tag)) w.kv("pdu_type", n);
    if (m.version == 3) {
      w.kv("security_level", (m.v3_flags & 3) == 3 ? "authPriv" : (m.v3_flags & 1) ? "authNoPriv" : "noAuthNoPriv");
      if (!m.user.empty()) w.kv("usm_user", m.user);
      if (!m.engine_id.empty()) w.kv("engine_id", m.engine_id);
      if (m.encrypted) w.kv("encrypted", true);
    }
    if (m.pdu_tag == 0xa4) {
      w.kv("trap_enterprise", m.enterprise);
      if (!m.agent_addr.empty()) w.kv("trap_address", m.agent_addr);
      w.kv("trap_generic", m.generic_trap);
      w.kv("trap_specific", m.specific_trap);
    } else if (m.pdu_tag) {
      w.kv("request_id", m.request_id);
      if (m.error_status) w.kv("error_status", m.error_status);
    }
    if (!m.vars.empty()) {
      w.key("vars").begin_array();
      for (const VarBind& v : m.vars) w.value(v.oid);
      w.end_array();
      bool any = std::any_of(m.vars.begin(), m.vars.end(), [](const VarBind& v) { return !v.value.empty() && v.tag != 0x05; });
      if (any && m.pdu_tag != 0xa0 && m.pdu_tag != 0xa1 && m.pdu_tag != 0xa5) {
        w.key("values").begin_array();
        for (const VarBind& v : m.vars) {
          if (v.value.empty()) continue;
          w.begin_object();
          w.kv("oid", v.oid);
          if (const char* n = value_name(v.oid)) w.kv("name", n);
          w.kv("value", v.value);
          w.end_object();
        }
        w.end_array();
      }
    }
    w.end_object();
    ctx.emit(b.finish());
  }

  std::vector<Secret> secrets_;
};

ProbeResult probe(Direction, Bytes d) {
  // SEQUENCE { INTEGER version (0, 1 or 3), ... } and the whole message parses.
  if (d.size() < 8 || d[0] != 0x30) return ProbeResult::kNoMatch;
  Message m;
  return parse(d, m) ? ProbeResult::kMatch : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(snmp, DissectorSpec{"snmp", kTransportUdp, {161, 162}, probe,
                                          [] { return std::unique_ptr<Dissector>(new SnmpDissector); }});

}  // namespace ms::snmp
