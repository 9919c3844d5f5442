// The response steps of an alert (response.h).
#include "detect/response.h"

#include "detect/device.h"

namespace ms::detect {

namespace {

const char* acl_proto(const std::string& p) {
  if (p == "snmp" || p == "udp") return "udp";
  if (p == "icmp" || p == "ip") return "ip";
  return "tcp";
}

// The containment of a kind, for this alert's hosts and pair rule.
std::string contain_step(const Alert& a, Response::Contain kind, const std::string& pair) {
  switch (kind) {
    case Response::Contain::kIsolateSource:
      return "isolate the scanning host: deny ip host " + a.src_ip + " any (switch port ACL or firewall)";
    case Response::Contain::kBlockDestination:
      return "block the destination at the perimeter: deny ip any host " + a.dest_ip + "; then find what sent it on " +
             a.src_ip;
    case Response::Contain::kSegment:
      return "segment: allow this service only from the hosts that need it" +
             (pair.empty() ? std::string() : " (e.g. permit " + pair + ", deny the rest)");
    case Response::Contain::kBlockPair:
      break;
  }
  return pair.empty() ? std::string() : "block the pair at the switch or firewall: deny " + pair;
}

}  // namespace

std::vector<std::string> response_steps(const Alert& a, const Response& r, const DeviceFacts* sf,
                                         const DeviceFacts* df, uint16_t port) {
  std::vector<std::string> out;
  // The device the alert is about: the target of a login or a command, the
  // source of a scan or an exfiltration.
  bool about_dst = r.about == Response::About::kDestination ||
                   (r.about == Response::About::kDestinationUnlessMedicalSource && (!medical(sf) || medical(df)));
  const std::string& ip = about_dst ? a.dest_ip : a.src_ip;
  const DeviceFacts* f = about_dst ? df : sf;
  out.push_back("identify: " + describe(ip, f) +
                "; confirm with clinical engineering where it is, what it is used for and whether a patient depends "
                "on it now before acting on it");
  std::string pair;
  if (!a.src_ip.empty() && !a.dest_ip.empty()) {
    pair = std::string(acl_proto(a.protocol)) + " host " + a.src_ip + " host " + a.dest_ip;
    if (port) pair += " eq " + std::to_string(port);
  }
  std::string contain = r.contain_text.empty() ? contain_step(a, r.contain, pair) : r.contain_text;
  if (!contain.empty()) out.push_back("contain: " + contain);
  out.push_back("preserve: medsentry evidence " + a.id + " -o alert-" + a.id +
                ".pcap; keep the device's own logs; do not power-cycle or reimage it yet");
  std::string maker = f && !f->manufacturer.empty() ? f->manufacturer : std::string();
  if (medical(f)) {
    out.push_back("contact: " + (maker.empty() ? std::string("the manufacturer") : maker) +
                  " product security (their coordinated disclosure contact) with the alert and the evidence; check "
                  "their advisories (CISA ICSMA) for " +
                  (f->model.empty() ? std::string("this model") : f->model));
  }
  if (!r.recover.empty()) out.push_back("recover: " + r.recover);
  return out;
}

}  // namespace ms::detect
