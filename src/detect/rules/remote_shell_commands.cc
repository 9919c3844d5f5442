// Rule 1011 remote_shell_commands: commands typed after a successful Telnet
// login on a medical device. Wants: telnet. Keeps: the user names and
// commands per client, device. Judges: only medical targets; critical on
// life-critical devices, high otherwise.
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/telnet/telnet_events.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {{"remote_shell_commands", 1011, "Commands typed on a medical device's remote shell",
                               "execution", "T0807", "T1059"}};
constexpr std::string_view kWants[] = {"telnet"};

class RemoteShellCommands final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const telnet::TelnetEvent* o = in.event().as<telnet::TelnetEvent>();
    if (!o || o->login_result != "success" || o->commands.empty()) return;
    const Event& e = in.event();
    Candidate& c = cands_.add("remote_shell_commands", e.src_ip, e.dest_ip, "telnet", e, ctx.flows);
    add_list(c, "usernames", JsonText(o->username));
    for (const std::string& x : o->commands) add_list(c, "commands", JsonText(x));
    c.counters["commands"] += o->commands.size();
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) {
      const DeviceFacts* df = j.fact(c.dst);
      if (medical(df)) j.from_candidate(c, life_critical(df) ? Severity::kCritical : Severity::kHigh, c.src, c.dst);
    }
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestination, Response::Contain::kBlockPair,
            "review the commands with the manufacturer; verify the device's configuration and drug library/protocols "
            "against the approved ones before clinical use"};
  }

 private:
  Candidates cands_;
};

}  // namespace
MS_REGISTER_RULE(remote_shell_commands, RemoteShellCommands);
}  // namespace ms::detect
