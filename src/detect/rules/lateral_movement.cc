// Rule 1002 lateral_movement, two ways in:
// - a tree connect to an administrative share (ADMIN$, C$; not IPC$, every
//   session's pipe share), as PsExec and its kin copy and start a service on
//   another machine: high with a medical side, medium otherwise;
// - a remote administration session the server accepted and that exchanged
//   data (SSH, Telnet, RDP, VNC, WinRM, Radmin): high when a clinical
//   endpoint started it, medium to a clinical endpoint from a host not in
//   known.management.
// Wants: smb, flow. Keeps: the shares per client, server; the sessions per
// client, server, service.
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/smb/smb_events.h"
#include "dissectors/text.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"lateral_movement", 1002, "Remote administration session from or to a medical device",
                               "lateral movement", "T0886", "T1021"}};
constexpr std::string_view kWants[] = {"flow", "smb"};

// Remote administration: interactive shells and desktops, and Windows remote
// management. By application protocol when the dissector knew it, else by the
// service's registered port.
const char* admin_service(uint16_t port, std::string_view app) {
  if (app == "ssh") return "ssh";
  if (app == "telnet") return "telnet";
  if (app == "rdp") return "rdp";
  if (!app.empty() && app != "unknown") return nullptr;  // something else on that port
  switch (port) {
    case 22: return "ssh";
    case 23: return "telnet";
    case 3389: return "rdp";
    case 5900: case 5901: case 5902: return "vnc";
    case 5985: case 5986: return "winrm";
    case 4899: return "radmin";
    default: return nullptr;
  }
}

class LateralMovement final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }

  void take(const Input& in, Context& ctx) override {
    if (const FlowRow* f = in.flow()) return take_flow(*f, in.event(), ctx);
    const smb::SmbEvent* o = in.event().as<smb::SmbEvent>();
    if (!o || !o->share) return;
    JsonText share_text(*o->share);
    std::string_view share = share_text;
    if (o->command != "tree_connect" || share.size() < 2 || share.back() != '$') return;
    std::string_view name = share.substr(share.rfind('\\') == std::string_view::npos ? 0 : share.rfind('\\') + 1);
    std::string_view status = o->status ? std::string_view(*o->status) : std::string_view();
    if (text::lower(name) == "ipc$" || (!status.empty() && status != "STATUS_SUCCESS")) return;
    const Event& e = in.event();
    Candidate& c = shares_.add("lateral_movement", e.src_ip, e.dest_ip, "smb", e, ctx.flows);
    add_list(c, "admin_shares", name);
    set_field(c, "how", "administrative share");
  }

  void judge(Judge& j) override {
    for (const auto& [key, c] : sessions_.all()) {
      Candidate x = c;
      if (clinical_endpoint(j.fact(c.src))) {
        x.fields["how"] = "a medical device started a remote administration session";
        j.from_candidate(x, Severity::kHigh, c.src, c.dst);
      } else if (clinical_endpoint(j.fact(c.dst)) && !j.cfg().is_management(c.src)) {
        x.fields["how"] = "a remote administration session to a medical device from a host that is not a management host";
        j.from_candidate(x, Severity::kMedium, c.src, c.dst);
      }
    }
    for (const auto& [key, c] : shares_.all()) {
      bool med = medical(j.fact(c.src)) || medical(j.fact(c.dst));
      j.from_candidate(c, med ? Severity::kHigh : Severity::kMedium, c.src, c.dst);
    }
  }

  void expire(Expiry& x) override {
    expire_candidates(sessions_, x);
    expire_candidates(shares_, x);
  }

  Response response(const Alert&) const override { return {Response::About::kSource, Response::Contain::kBlockPair, ""}; }

 private:
  void take_flow(const FlowRow& f, const Event& e, Context& ctx) {
    // A SYN-ACK to a scan is no session: both sides sent data.
    if (proto_number(f.proto) != kTcp || !f.answered || !f.data[0] || !f.data[1]) return;
    const char* svc = admin_service(f.dest_port, f.app_proto);
    if (!svc) return;
    Candidate& c = sessions_.add("lateral_movement", f.src_ip, f.dest_ip, svc, e, ctx.flows);
    c.counters["sessions"] = c.count;
  }

  Candidates sessions_;  // remote administration sessions, judged by who started them
  Candidates shares_;    // administrative shares
};

}  // namespace
MS_REGISTER_RULE(lateral_movement, LateralMovement);
}  // namespace ms::detect
