// Rule 1005 cleartext_login: a password, or at least the account name,
// crosses in clear (nDPI flags a user name alone too: half the credential):
// Telnet, FTP, POP3, IMAP, HTTP Basic or form, DICOM user identity (PS3.7
// D.3.3.7 with a passcode). Wants: credential. Keeps: user names and login
// results per client, server, protocol. Judges: medium with a medical side,
// low elsewhere (as nDPI's and Suricata's, any one is a finding).
#include "detect/device.h"
#include "detect/expiry.h"
#include "detect/fields.h"
#include "detect/judge.h"
#include "detect/rule.h"
#include "dissectors/credential.h"

namespace ms::detect {
namespace {

constexpr RuleInfo kInfo[] = {
    {"cleartext_login", 1005, "Login with a password in cleartext", "credential exposure", "T0859", "T1040"}};
constexpr std::string_view kWants[] = {"credential"};

// The secret crosses the wire as typed.
bool cleartext_method(std::string_view protocol, std::string_view method) {
  if (protocol == "telnet" || protocol == "ftp" || protocol == "pop3" || protocol == "imap") return true;
  if (protocol == "http") return method == "basic" || method == "form";  // not a cookie, not Digest
  if (protocol == "dicom") return true;  // user identity negotiation with a passcode
  return false;
}

class CleartextLogin final : public Rule {
 public:
  std::span<const RuleInfo> alerts() const override { return kInfo; }
  std::span<const std::string_view> wants() const override { return kWants; }
  void take(const Input& in, Context& ctx) override {
    const CredentialEvent* o = in.event().as<CredentialEvent>();
    if (!o) return;
    std::string_view protocol = o->protocol, user = o->username, result = o->result;
    bool password = o->password_seen;
    if ((!password && user.empty()) || !cleartext_method(protocol, o->method)) return;
    const Event& e = in.event();
    Candidate& c = cands_.add("cleartext_login", e.src_ip, e.dest_ip, protocol, e, ctx.flows);
    add_list(c, "usernames", JsonText(user));
    ++c.counters[result == "success" ? "succeeded" : result == "failure" ? "failed" : "result_unknown"];
    if (!password) ++c.counters["without_password"];
  }
  void judge(Judge& j) override {
    for (const auto& [key, c] : cands_.all()) {
      bool med = medical(j.fact(c.src)) || medical(j.fact(c.dst));
      j.from_candidate(c, med ? Severity::kMedium : Severity::kLow, c.src, c.dst);
    }
  }
  void expire(Expiry& x) override {
    expire_candidates(cands_, x);
  }

  Response response(const Alert&) const override {
    return {Response::About::kDestinationUnlessMedicalSource, Response::Contain::kBlockPair,
            "move the login to an encrypted protocol the manufacturer supports (SSH, HTTPS, FTPS) and rotate the "
            "password"};
  }

 private:
  Candidates cands_;
};

}  // namespace
MS_REGISTER_RULE(cleartext_login, CleartextLogin);
}  // namespace ms::detect
