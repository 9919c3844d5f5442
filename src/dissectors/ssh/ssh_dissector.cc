// SSH (RFC 4253): each side's identification line (protocol and software
// version), the algorithm lists of each KEXINIT with their HASSH and
// HASSHServer fingerprints (MD5 of kex;ciphers;macs;compression, as
// Salesforce defined them), and the server's host key fingerprint from the
// key exchange reply (MD5 and SHA-256 of the key blob, as ssh-keygen shows
// them). Everything after NEWKEYS is encrypted and not read. One `ssh` event
// per connection.
#include <openssl/evp.h>

#include <string>

#include "dissectors/dissector.h"
#include "dissectors/ssh/ssh_events.h"
#include "dissectors/text.h"

namespace ms::ssh {

namespace {

constexpr size_t kMaxLine = 1024;      // identification lines are at most 255 bytes
constexpr size_t kMaxPreLines = 256;   // lines a server may send before its version (RFC 4253 §4.2)
constexpr uint32_t kMaxPacket = 256 * 1024;

std::string b64(Bytes b) {
  std::string out(4 * ((b.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), b.data(), static_cast<int>(b.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();  // ssh-keygen writes SHA256 without padding
  return out;
}

bool name_list(ByteReader& r, std::string& out) {
  uint32_t len;
  Bytes v;
  if (!r.u32be(len) || !r.take(len, v)) return false;
  out = text::str(v, 4096);
  return true;
}

struct Side {
  std::string proto, software, comments;
  bool have_version = false;
  int pre_lines = 0;
  bool kexinit = false, newkeys = false;
  std::string kex, hostkey_algs, enc[2], mac[2], comp[2];
};

class SshDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    Side& s = side_[static_cast<int>(dir)];
    size_t pos = 0;
    while (pos < d.size() && !s.newkeys) {
      Bytes rest = d.subspan(pos);
      if (!s.have_version) {
        const void* nl = memchr(rest.data(), '\n', rest.size());
        if (!nl) {
          if (rest.size() > kMaxLine) return AppResult::fail("ssh.banner_too_long");
          return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(rest.size() + 1));
        }
        size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nl) - rest.data()) + 1;
        std::string line = text::trim(text::view(rest.first(n)));
        pos += n;
        if (line.starts_with("SSH-")) {
          version(s, line);
        } else if (dir == Direction::kToServer || ++s.pre_lines > static_cast<int>(kMaxPreLines)) {
          return AppResult::fail("ssh.no_identification");
        }
        continue;
      }
      if (rest.size() < 5) return AppResult::incomplete(static_cast<uint32_t>(pos), 5);
      uint32_t len = be32(rest.data());
      if (len < 2 || len > kMaxPacket) return AppResult::fail("ssh.bad_packet_length");
      if (rest.size() < 4 + len) return AppResult::incomplete(static_cast<uint32_t>(pos), 4 + len);
      uint8_t pad = rest[4];
      if (pad + 1u >= len) return AppResult::fail("ssh.bad_padding");
      packet(dir, s, rest.subspan(5, len - 1 - pad));
      pos += 4 + len;
    }
    if (side_[0].newkeys && side_[1].newkeys) done(ctx);
    return AppResult::ok();
  }

  void on_end(AppContext& ctx) override { done(ctx); }

 private:
  static void version(Side& s, const std::string& line) {
    // SSH-protoversion-softwareversion SP comments
    s.have_version = true;
    std::string rest = line.substr(4);
    size_t dash = rest.find('-');
    s.proto = rest.substr(0, std::min<size_t>(dash, 16));
    if (dash == std::string::npos) return;
    std::string sw = rest.substr(dash + 1);
    size_t sp = sw.find(' ');
    s.software = sw.substr(0, std::min<size_t>(sp, 256));
    if (sp != std::string::npos) s.comments = sw.substr(sp + 1, 256);
  }

  void packet(Direction dir, Side& s, Bytes payload) {
    if (payload.empty()) return;
    uint8_t type = payload[0];
    ByteReader r(payload.subspan(1));
    if (type == 20 && !s.kexinit) {  // KEXINIT
      if (!r.skip(16)) return;
      std::string langs;
      if (name_list(r, s.kex) && name_list(r, s.hostkey_algs) && name_list(r, s.enc[0]) && name_list(r, s.enc[1]) &&
          name_list(r, s.mac[0]) && name_list(r, s.mac[1]) && name_list(r, s.comp[0]) && name_list(r, s.comp[1])) {
        s.kexinit = true;
      }
    } else if (type == 21) {
      s.newkeys = true;
    } else if (dir == Direction::kToClient && host_key_.empty() && (type == 31 || type == 33)) {
      // KEX reply: ECDH/DH (31) or group-exchange reply (33; 31 is then the group).
      bool gex = chosen_kex().starts_with("diffie-hellman-group-exchange");
      if ((type == 33) != gex) return;
      uint32_t len;
      Bytes blob;
      if (r.u32be(len) && r.take(len, blob) && len > 0) {
        host_key_.assign(blob.begin(), blob.end());
        ByteReader kr(blob);
        uint32_t tl;
        Bytes t;
        if (kr.u32be(tl) && kr.take(tl, t)) host_key_type_ = text::str(t, 64);
      }
    }
  }

  std::string chosen_kex() const {
    // The first client algorithm the server also offers (RFC 4253 §7.1).
    std::string_view c = side_[0].kex, sv = side_[1].kex;
    while (!c.empty()) {
      size_t comma = c.find(',');
      std::string_view a = c.substr(0, comma);
      std::string_view s2 = sv;
      while (!s2.empty()) {
        size_t k = s2.find(',');
        if (s2.substr(0, k) == a) return std::string(a);
        if (k == std::string_view::npos) break;
        s2.remove_prefix(k + 1);
      }
      if (comma == std::string_view::npos) break;
      c.remove_prefix(comma + 1);
    }
    return "";
  }

  void done(AppContext& ctx) {
    if (emitted_ || (!side_[0].have_version && !side_[1].have_version)) return;
    emitted_ = true;
    auto ev = std::make_unique<SshEvent>();
    for (int i = 0; i < 2; ++i) {
      if (side_[i].have_version) ev->side[i] = side_event(i);
    }
    if (side_[0].kexinit && side_[1].kexinit) ev->kex_algorithm = chosen_kex();
    ctx.emit(make_event(ctx.envelope(), "ssh", std::move(ev)));
  }

  SshSide side_event(int i) const {
    const Side& s = side_[i];
    SshSide o;
    o.proto_version = s.proto;
    o.software_version = s.software;
    o.comments = s.comments;
    if (s.kexinit) {
      // HASSH: the client's c2s lists; HASSHServer: the server's s2c lists.
      int k = i;
      std::string str = s.kex + ";" + s.enc[k] + ";" + s.mac[k] + ";" + s.comp[k];
      o.kexinit = true;
      o.hassh_hash = text::digest_hex(EVP_md5(), str);
      o.hassh_string = str.substr(0, 4096);
      o.host_key_algorithms = s.hostkey_algs.substr(0, 1024);
    }
    if (i == 1 && !host_key_.empty()) {
      SshHostKey& hk = o.host_key.emplace();
      hk.type = host_key_type_;
      hk.md5 = text::digest_hex(EVP_md5(), Bytes(host_key_), 16, ':');
      unsigned char sha[32];
      unsigned n = 0;
      EVP_Digest(host_key_.data(), host_key_.size(), sha, &n, EVP_sha256(), nullptr);
      hk.sha256 = "SHA256:" + b64(Bytes(sha, n));
    }
    return o;
  }

  Side side_[2];
  std::vector<uint8_t> host_key_;
  std::string host_key_type_;
  bool emitted_ = false;
};

ProbeResult probe(Direction, Bytes d) {
  static constexpr char kMagic[] = "SSH-";
  size_t n = std::min<size_t>(d.size(), 4);
  if (memcmp(d.data(), kMagic, n) != 0) return ProbeResult::kNoMatch;
  if (d.size() < 8) return ProbeResult::kNeedMore;
  // SSH-<digits>.<digits>-
  std::string_view s = text::view(d);
  size_t dash = s.find('-', 4);
  if (dash == std::string_view::npos || dash > 12) return ProbeResult::kNoMatch;
  for (char c : s.substr(4, dash - 4)) {
    if (!(c == '.' || (c >= '0' && c <= '9'))) return ProbeResult::kNoMatch;
  }
  return ProbeResult::kMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(ssh, DissectorSpec{"ssh", kTransportTcp, {22, 2222}, probe,
                                         [] { return std::unique_ptr<Dissector>(new SshDissector); }});

}  // namespace ms::ssh
