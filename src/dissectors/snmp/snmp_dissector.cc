// SNMP dissector (UDP 161/162): one `snmp` event per message; a community
// string or a v3 user is a `credential` event (once per flow and secret),
// successful when the agent answered with it. Values of the system group and
// the entity MIB are named (sys_descr, ent_serial...): inventory evidence.
// The event's struct and JSON are in snmp_events.h and snmp_log.cc.
#include <algorithm>
#include <string>
#include <vector>

#include "dissectors/credential.h"
#include "dissectors/dissector.h"
#include "dissectors/snmp/snmp_events.h"

namespace ms::snmp {

namespace {

class SnmpDissector : public Dissector {
 public:
  AppResult on_data(Direction, Bytes d, AppContext& ctx) override {
    auto ev = std::make_unique<SnmpEvent>();
    Message& m = ev->msg;
    if (!parse(d, m)) {
      ctx.anomaly("snmp.malformed");
      return AppResult::ok();
    }
    const char* result = nullptr;
    Secret* s = secret(m, result);
    m.community.clear();  // the secret does not travel with the event
    ev->derive();
    ctx.emit(make_event(ctx.envelope(), "snmp", std::move(ev)));
    if (s) emit(*s, result, ctx);  // after the message that carried it
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
  // same community proves it right. Returns the secret whose credential event
  // is due now (with its result), or null.
  Secret* secret(const Message& m, const char*& result) {
    if (m.version == 3 && m.user.empty()) return nullptr;
    auto it = std::find_if(secrets_.begin(), secrets_.end(), [&](const Secret& s) {
      return s.version == m.version && s.community == m.community && s.user == m.user;
    });
    bool response = m.pdu_tag == 0xa2 || m.pdu_tag == 0xa8;
    if (it == secrets_.end()) {
      if (secrets_.size() >= 8) return nullptr;
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
    if (!(response || refused) || it->emitted) return nullptr;
    result = refused ? "failure" : "success";
    return &*it;
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
