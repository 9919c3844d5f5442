// SMB1/SMB2/SMB3 over NetBIOS session service (TCP 445, 139): dialects offered
// and chosen (SMB1 use is what WannaCry-era worms need), NTLMSSP
// authentication (user, domain, workstation, the server's names and OS
// version), shares connected, files opened with the bytes read and written,
// and DICOM Part 10 files written to or read from a share. Messages larger
// than kMaxMessage are read up to that size (the headers and the start of
// the data) and the rest is skipped, so a large write costs no memory.
#include <map>
#include <string>
#include <vector>

#include "dissectors/credential.h"
#include "dissectors/dicom/dicom_file.h"
#include "dissectors/dicom/dicom_file_event.h"
#include "dissectors/dissector.h"
#include "dissectors/hl7/hl7_embedded.h"
#include "dissectors/phi_scrub.h"
#include "dissectors/smb/ntlmssp.h"
#include "dissectors/smb/smb_events.h"
#include "dissectors/text.h"

namespace ms::smb {

namespace {

constexpr size_t kMaxMessage = 64 * 1024;
constexpr size_t kMaxState = 256;  // open files, pending requests, trees

const char* status_name(uint32_t s) {
  switch (s) {
    case 0x00000000: return "STATUS_SUCCESS";
    case 0xc0000016: return "STATUS_MORE_PROCESSING_REQUIRED";
    case 0xc000006d: return "STATUS_LOGON_FAILURE";
    case 0xc0000064: return "STATUS_NO_SUCH_USER";
    case 0xc000006a: return "STATUS_WRONG_PASSWORD";
    case 0xc0000071: return "STATUS_PASSWORD_EXPIRED";
    case 0xc0000072: return "STATUS_ACCOUNT_DISABLED";
    case 0xc0000022: return "STATUS_ACCESS_DENIED";
    case 0xc0000034: return "STATUS_OBJECT_NAME_NOT_FOUND";
    case 0xc0000035: return "STATUS_OBJECT_NAME_COLLISION";
    case 0xc00000cc: return "STATUS_BAD_NETWORK_NAME";
    case 0xc00000bb: return "STATUS_NOT_SUPPORTED";
    case 0x00000103: return "STATUS_PENDING";
    case 0xc000000d: return "STATUS_INVALID_PARAMETER";
    case 0xc0000043: return "STATUS_SHARING_VIOLATION";
    default: return nullptr;
  }
}

std::string status_string(uint32_t s) {
  if (const char* n = status_name(s)) return n;
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", s);
  return b;
}

std::string dialect2(uint16_t d) {
  switch (d) {
    case 0x0202: return "2.02";
    case 0x0210: return "2.10";
    case 0x0300: return "3.00";
    case 0x0302: return "3.02";
    case 0x0311: return "3.11";
    case 0x02ff: return "2.??";
    default: {
      char b[8];
      std::snprintf(b, sizeof b, "0x%04x", d);
      return b;
    }
  }
}

const char* disposition_name(uint32_t d) {
  static const char* n[] = {"FILE_SUPERSEDE", "FILE_OPEN", "FILE_CREATE", "FILE_OPEN_IF", "FILE_OVERWRITE", "FILE_OVERWRITE_IF"};
  return d < 6 ? n[d] : "unknown";
}

struct File {
  std::string name, share;
  uint64_t read = 0, written = 0;
  bool dicom_checked[2] = {false, false};
};

struct Pending {
  uint16_t command = 0;
  std::string name;       // CREATE file name, TREE_CONNECT path
  uint32_t disposition = 0;
  std::string file_key;   // READ: which file
  uint64_t offset = 0;
  uint32_t tree = 0;
};

class SmbDissector : public Dissector {
 public:
  AppResult on_data(Direction dir, Bytes d, AppContext& ctx) override {
    const int di = static_cast<int>(dir);
    size_t pos = 0;
    while (pos < d.size()) {
      if (skip_[di]) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(skip_[di], d.size() - pos));
        skip_[di] -= n;
        pos += n;
        continue;
      }
      Bytes rest = d.subspan(pos);
      if (rest.size() < 4) return AppResult::incomplete(static_cast<uint32_t>(pos), 4);
      uint8_t type = rest[0];
      size_t len = static_cast<size_t>(rest[1] & 1) << 16 | rest[2] << 8 | rest[3];
      if (type != 0x00 && type != 0x81 && type != 0x82 && type != 0x83 && type != 0x84 && type != 0x85) {
        return AppResult::fail("smb.bad_nbss_header");
      }
      size_t have = std::min(len, kMaxMessage);
      if (rest.size() < 4 + have) return AppResult::incomplete(static_cast<uint32_t>(pos), static_cast<uint32_t>(4 + have));
      if (type == 0x00 && len > 0) message(di, rest.subspan(4, have), ctx);
      pos += 4 + have;
      skip_[di] = len - have;
    }
    return AppResult::ok();
  }


  void on_end(AppContext& ctx) override {
    for (auto& [k, f] : files_) file_event(f, ctx);
    files_.clear();
  }

 private:
  void message(int di, Bytes m, AppContext& ctx) {
    if (m.size() >= 4 && m[1] == 'S' && m[2] == 'M' && m[3] == 'B') {
      if (m[0] == 0xfe) {
        size_t off = 0;
        for (int k = 0; k < 32 && off < m.size(); ++k) {  // compounded requests
          Bytes h = m.subspan(off);
          if (h.size() < 64) return;
          uint32_t next = le32(h.data() + 20);
          if (next != 0 && next < 64) next = 0;  // not a valid compound offset: the rest is one message
          smb2(di, next ? h.first(std::min<size_t>(next, h.size())) : h, ctx);
          if (!next) break;
          off += next;
        }
      } else if (m[0] == 0xff) {
        smb1(di, m, ctx);
      }  // 0xfd: an SMB3 transform header, whose message is encrypted: not read
    }
  }

  // ---- SMB2/3 -------------------------------------------------------------
  void smb2(int di, Bytes h, AppContext& ctx) {
    if (h.size() < 64) return;
    uint32_t status = le32(h.data() + 8);
    uint16_t cmd = le16(h.data() + 12);
    uint32_t flags = le32(h.data() + 16);
    uint64_t mid = static_cast<uint64_t>(le32(h.data() + 28)) << 32 | le32(h.data() + 24);
    uint32_t tree = le32(h.data() + 36);
    bool response = flags & 1;
    if (response != (di == 1)) return;
    Bytes body = h.subspan(64);
    version_ = std::max(version_, 2);
    if (!response) {
      Pending p;
      p.command = cmd;
      p.tree = tree;
      switch (cmd) {
        case 0:  // NEGOTIATE
          offered_.clear();
          if (body.size() >= 36) {
            uint16_t n = le16(body.data() + 2);
            for (uint16_t i = 0; i < n && 36u + 2 * i + 2 <= body.size() && offered_.size() < 16; ++i) {
              offered_.push_back(dialect2(le16(body.data() + 36 + 2 * i)));
            }
          }
          break;
        case 1:  // SESSION_SETUP
          if (body.size() >= 16) security_blob(slice(h, le16(body.data() + 12), le16(body.data() + 14)));
          break;
        case 3:  // TREE_CONNECT
          if (body.size() >= 8) p.name = utf16_at(h, le16(body.data() + 4), le16(body.data() + 6));
          break;
        case 5:  // CREATE
          if (body.size() >= 48) {
            p.disposition = le32(body.data() + 36);
            p.name = utf16_at(h, le16(body.data() + 44), le16(body.data() + 46));
          }
          break;
        case 8:  // READ: file id at 16, offset at 8
          if (body.size() >= 32) {
            p.offset = le64(body.data() + 8);
            p.file_key = text::hex(body.subspan(16, 16), 16);
          }
          break;
        case 9:  // WRITE: structure size, data offset (2), length (4), offset (8), file id (16)
          if (body.size() >= 32) write(text::hex(body.subspan(16, 16), 16), le64(body.data() + 8), le32(body.data() + 4),
                                       slice(h, le16(body.data() + 2), le32(body.data() + 4)), ctx);
          break;
        case 6:  // CLOSE
          if (body.size() >= 24) close(text::hex(body.subspan(8, 16), 16), ctx);
          break;
        default:
          break;
      }
      if (cmd == 0 || cmd == 1 || cmd == 3 || cmd == 5 || cmd == 8) {
        if (pending_.size() >= kMaxState) pending_.erase(pending_.begin());
        pending_[mid] = std::move(p);
      }
      return;
    }
    if (status == 0x103) return;  // STATUS_PENDING: an interim response
    auto it = pending_.find(mid);
    Pending p;
    p.command = cmd;
    if (it != pending_.end()) p = std::move(it->second);
    if (it != pending_.end()) pending_.erase(it);
    switch (cmd) {
      case 0:
        if (body.size() >= 8) {
          dialect_ = dialect2(le16(body.data() + 4));
          if (dialect_ == "3.00" || dialect_ == "3.02" || dialect_ == "3.11") version_ = 3;
        }
        negotiate_event(status, ctx);
        break;
      case 1:
        if (body.size() >= 8) security_blob(slice(h, le16(body.data() + 4), le16(body.data() + 6)));
        session_result(status, ctx);
        break;
      case 3: {
        const char* type = body.size() < 3 ? nullptr : body[2] == 1 ? "disk" : body[2] == 2 ? "pipe" : body[2] == 3 ? "print" : "unknown";
        tree_connected(tree, status, p.name, type, ctx);
        break;
      }
      case 5:
        created(p.tree ? p.tree : tree, status, p, status == 0 && body.size() >= 80 ? text::hex(body.subspan(64, 16), 16) : "", ctx);
        break;
      case 8:  // READ response: structure size, data offset (1 byte at 2), length (4 at 4)
        if (status == 0 && body.size() >= 8) {
          uint32_t len = le32(body.data() + 4);
          auto f = files_.find(p.file_key);
          if (f != files_.end()) {
            f->second.read += len;
            maybe_dicom(f->second, 1, p.offset, slice(h, body[2], len), ctx);
          }
        }
        break;
      default:
        break;
    }
  }

  // ---- SMB1 ---------------------------------------------------------------
  // One SMB1 message: header fields, parameter words and data bytes
  // ([MS-CIFS] 2.2.3.1, 2.2.3.2, 2.2.3.3).
  struct Smb1Msg {
    Bytes h, words, bytes;
    uint8_t cmd = 0, wc = 0;
    uint32_t status = 0;
    bool unicode = false;
    uint16_t tid = 0, mid = 0;
    size_t bytes_at = 0;
    // A NUL-terminated string at `off` in the data bytes, aligned for
    // unicode; returns the offset after it.
    size_t str_at(size_t off, std::string& out) const {
      if (unicode && ((bytes_at + off) & 1)) ++off;
      if (off >= bytes.size()) return bytes.size();
      Bytes s = bytes.subspan(off);
      if (unicode) {
        out = text::utf16le(s, 1024);
        size_t i = 0;
        while (i + 1 < s.size() && (s[i] || s[i + 1])) i += 2;
        return off + i + 2;
      }
      size_t i = 0;
      while (i < s.size() && s[i]) ++i;
      out = text::str(s.first(i), 512);
      return off + i + 1;
    }
  };

  void smb1(int di, Bytes h, AppContext& ctx) {
    if (h.size() < 33) return;
    Smb1Msg m;
    m.h = h;
    m.cmd = h[4];
    m.status = le32(h.data() + 5);
    bool response = h[9] & 0x80;
    m.unicode = le16(h.data() + 10) & 0x8000;
    m.tid = le16(h.data() + 24);
    m.mid = le16(h.data() + 30);
    if (response != (di == 1)) return;
    version_ = std::max(version_, 1);
    smb1_ = true;
    m.wc = h[32];
    if (33u + 2u * m.wc + 2u > h.size()) return;
    m.words = h.subspan(33, 2u * m.wc);
    uint16_t bc = le16(h.data() + 33 + 2 * m.wc);
    m.bytes_at = 35u + 2u * m.wc;
    m.bytes = h.subspan(m.bytes_at, std::min<size_t>(bc, h.size() - m.bytes_at));
    if (response) {
      smb1_response(m, ctx);
    } else {
      smb1_request(m, ctx);
    }
  }

  void smb1_request(const Smb1Msg& m, AppContext& ctx) {
    const Bytes& h = m.h;
    const Bytes& words = m.words;
    const Bytes& bytes = m.bytes;
    const uint8_t cmd = m.cmd, wc = m.wc;
    const uint16_t tid = m.tid, mid = m.mid;
    const bool unicode = m.unicode;
    const size_t bytes_at = m.bytes_at;
    auto str_at = [&m](size_t off, std::string& out) { return m.str_at(off, out); };
    Pending p;
    p.command = cmd;
    switch (cmd) {
      case 0x72: {  // NEGOTIATE: dialect strings, each 0x02 "name" NUL
        offered_.clear();
        size_t i = 0;
        while (i < bytes.size() && offered_.size() < 16) {
          if (bytes[i] != 0x02) break;
          size_t e = i + 1;
          while (e < bytes.size() && bytes[e]) ++e;
          offered_.push_back(text::str(bytes.subspan(i + 1, e - i - 1), 64));
          i = e + 1;
        }
        break;
      }
      case 0x73:  // SESSION_SETUP_ANDX
        if (wc == 12) {
          security_blob(bytes.first(std::min<size_t>(le16(words.data() + 14), bytes.size())));
        } else if (wc == 13) {  // without extended security: passwords, then account and domain
          size_t pwlen = static_cast<size_t>(le16(words.data() + 14)) + le16(words.data() + 16);
          std::string account, domain;
          size_t next = str_at(pwlen, account);
          str_at(next, domain);
          ntlm_ = {};
          ntlm_.type = 3;
          ntlm_.user = account;
          ntlm_.domain = domain;
          have_auth_ = !account.empty() || pwlen > 0;
        }
        break;
      case 0x75:  // TREE_CONNECT_ANDX: password, then path
        if (wc == 4) str_at(le16(words.data() + 6), p.name);
        break;
      case 0xa2:  // NT_CREATE_ANDX
        if (wc == 24) {
          size_t name_len = le16(words.data() + 5);
          p.disposition = le32(words.data() + 35);
          std::string name;
          size_t off = unicode && ((bytes_at) & 1) ? 1 : 0;
          if (off + name_len <= bytes.size()) {
            p.name = unicode ? text::utf16le(bytes.subspan(off, name_len)) : text::str(bytes.subspan(off, name_len));
          }
        }
        break;
      case 0x2f:  // WRITE_ANDX: fid, offset, data length and offset
        if (wc == 12 || wc == 14) {
          uint16_t fid = le16(words.data() + 4);
          uint64_t off = le32(words.data() + 6);
          if (wc == 14) off |= static_cast<uint64_t>(le32(words.data() + 24)) << 32;
          uint32_t dlen = le16(words.data() + 20) | static_cast<uint32_t>(le16(words.data() + 18)) << 16;
          write("fid" + std::to_string(tid) + ":" + std::to_string(fid), off, dlen, slice(h, le16(words.data() + 22), dlen), ctx);
        }
        break;
      case 0x04:  // CLOSE
        if (wc >= 1) close("fid" + std::to_string(tid) + ":" + std::to_string(le16(words.data())), ctx);
        break;
      default:
        break;
    }
    p.tree = tid;
    if (cmd == 0x72 || cmd == 0x73 || cmd == 0x75 || cmd == 0xa2) {
      if (pending_.size() >= kMaxState) pending_.erase(pending_.begin());
      pending_[mid] = std::move(p);
    }
  }

  void smb1_response(const Smb1Msg& m, AppContext& ctx) {
    const Bytes& words = m.words;
    const Bytes& bytes = m.bytes;
    const uint8_t cmd = m.cmd, wc = m.wc;
    const uint16_t tid = m.tid, mid = m.mid;
    const uint32_t status = m.status;
    auto str_at = [&m](size_t off, std::string& out) { return m.str_at(off, out); };
    auto it = pending_.find(mid);
    Pending p;
    p.command = cmd;
    if (it != pending_.end()) p = std::move(it->second);
    if (it != pending_.end()) pending_.erase(it);
    switch (cmd) {
      case 0x72:
        if (wc >= 1) {
          uint16_t idx = le16(words.data());
          dialect_ = idx < offered_.size() ? offered_[idx] : "unknown";
        }
        negotiate_event(status, ctx);
        break;
      case 0x73: {
        if (wc == 4) {  // extended security: blob, then native OS and LAN manager
          size_t blen = std::min<size_t>(le16(words.data() + 6), bytes.size());
          security_blob(bytes.first(blen));
          str_at(blen, server_os_);
        } else if (wc == 3) {
          str_at(0, server_os_);
        }
        session_result(status, ctx);
        break;
      }
      case 0x75:
        tree_connected(tid, status, p.name, nullptr, ctx);
        break;
      case 0xa2:
        created(tid, status, p, status == 0 && wc >= 4 ? "fid" + std::to_string(tid) + ":" + std::to_string(le16(words.data() + 5)) : "", ctx);
        break;
      default:
        break;
    }
  }

  // ---- shared -------------------------------------------------------------
  void tree_connected(uint32_t tree, uint32_t status, const std::string& share, const char* type, AppContext& ctx) {
    auto ev = begin("tree_connect", status);
    ev->share = share;
    if (type) ev->share_type = type;
    end(std::move(ev), ctx);
    if (status == 0 && trees_.size() < kMaxState) trees_[tree] = share;
  }

  // A create answered: the event, and the open file (key: its id) followed.
  void created(uint32_t tree, uint32_t status, const Pending& p, const std::string& key, AppContext& ctx) {
    auto ev = begin("create", status);
    ev->filename = scrub_identifiers(p.name, ctx);
    ev->disposition = disposition_name(p.disposition);
    auto t = trees_.find(tree);
    if (t != trees_.end()) ev->share = t->second;
    end(std::move(ev), ctx);
    if (!key.empty() && files_.size() < kMaxState) {
      File f;
      f.name = p.name;
      if (t != trees_.end()) f.share = t->second;
      files_[key] = std::move(f);
    }
  }


  static Bytes slice(Bytes h, size_t off, size_t len) {
    if (off >= h.size()) return {};
    return h.subspan(off, std::min(len, h.size() - off));
  }

  static std::string utf16_at(Bytes h, size_t off, size_t len) { return text::utf16le(slice(h, off, len), 1024); }

  void security_blob(Bytes blob) {
    ntlmssp::Message m;
    if (!ntlmssp::find_and_parse(blob, m)) return;
    if (m.type == 2) {
      challenge_ = m;
    } else if (m.type == 3) {
      ntlm_ = m;
      have_auth_ = true;
    } else if (m.type == 1 && client_version_.empty()) {
      client_version_ = m.version;
    }
  }

  void session_result(uint32_t status, AppContext& ctx) {
    if (status == 0xc0000016) return;  // more processing: the exchange continues
    if (!have_auth_) return;
    have_auth_ = false;
    auto ev = begin("session_setup", status);
    SmbNtlmssp& n = ev->ntlmssp.emplace();
    n.domain = ntlm_.domain;
    n.user = ntlm_.user;
    n.host = ntlm_.workstation;
    n.version = !ntlm_.version.empty() ? ntlm_.version : client_version_;
    n.anonymous = ntlm_.anonymous;
    n.server_nb_computer = challenge_.nb_computer;
    n.server_nb_domain = challenge_.nb_domain;
    n.server_dns_computer = challenge_.dns_computer;
    n.server_dns_domain = challenge_.dns_domain;
    n.server_version = challenge_.version;
    ev->server_os = server_os_;
    end(std::move(ev), ctx);
    Credential c;
    c.protocol = "ntlmssp";
    c.method = smb1_ && ntlm_.version.empty() && challenge_.type == 0 ? "smb1_session_setup" : "ntlmssp";
    c.username = ntlm_.user;
    c.domain = ntlm_.domain;
    c.workstation = ntlm_.workstation;
    c.result = status == 0 ? "success" : "failure";
    if (!ntlm_.anonymous) emit_credential(ctx, c);
  }

  void negotiate_event(uint32_t status, AppContext& ctx) {
    auto ev = begin("negotiate", status);
    ev->dialects_offered = offered_;
    end(std::move(ev), ctx);
  }

  void write(const std::string& key, uint64_t offset, uint32_t len, Bytes data, AppContext& ctx) {
    auto f = files_.find(key);
    if (f == files_.end()) return;
    f->second.written += len;
    maybe_dicom(f->second, 0, offset, data, ctx);
  }

  void maybe_dicom(File& f, int dir, uint64_t offset, Bytes data, AppContext& ctx) {
    if (offset != 0 || f.dicom_checked[dir]) return;
    // An HL7 v2 file written to a share (an interface's file drop): its
    // patient data is judged like HL7 on the wire (hl7_embedded.h).
    if (dir == 0 && hl7::emit_embedded(ctx, data, "smb")) {
      f.dicom_checked[dir] = true;
      return;
    }
    if (data.size() < 132) return;
    f.dicom_checked[dir] = true;
    if (!dicom::is_part10(data)) return;
    dicom::Part10 p;
    dicom::parse_part10(data, p);
    dicom::emit_dicom_file(ctx, p, "smb", dir);
  }

  void close(const std::string& key, AppContext& ctx) {
    auto f = files_.find(key);
    if (f == files_.end()) return;
    file_event(f->second, ctx);
    files_.erase(f);
  }

  void file_event(const File& f, AppContext& ctx) {
    if (!f.read && !f.written) return;
    auto ev = std::make_unique<SmbEvent>();
    ev->command = "file";
    ev->version = version_;
    if (!dialect_.empty()) ev->dialect = dialect_;
    ev->filename = scrub_identifiers(f.name, ctx);
    if (!f.share.empty()) ev->share = f.share;
    ev->file = true;
    ev->bytes_read = f.read;
    ev->bytes_written = f.written;
    end(std::move(ev), ctx);
  }

  // A command's event: what every answer says (the status, the dialect as
  // far as negotiated).
  std::unique_ptr<SmbEvent> begin(const char* command, uint32_t status) const {
    auto ev = std::make_unique<SmbEvent>();
    ev->command = command;
    ev->version = version_;
    ev->dialect = dialect_.empty() ? "unknown" : dialect_;
    ev->status = status_string(status);
    return ev;
  }

  static void end(std::unique_ptr<SmbEvent> ev, AppContext& ctx) {
    ctx.emit(make_event(ctx.envelope(), "smb", std::move(ev)));
  }

  uint64_t skip_[2] = {0, 0};
  bool smb1_ = false, have_auth_ = false;
  int version_ = 0;
  std::vector<std::string> offered_;
  std::string dialect_, server_os_, client_version_;
  ntlmssp::Message ntlm_, challenge_;
  std::map<uint64_t, Pending> pending_;
  std::map<uint32_t, std::string> trees_;
  std::map<std::string, File> files_;
};

// An NBSS session message (or session request) whose payload starts with an
// SMB1/SMB2/SMB3 protocol id.
ProbeResult probe(Direction, Bytes d) {
  if (d.empty()) return ProbeResult::kNeedMore;
  if (d[0] == 0x81 || d[0] == 0x82) return d.size() >= 4 && (d[1] & 0xfe) == 0 ? ProbeResult::kMatch : ProbeResult::kNoMatch;
  if (d[0] != 0x00) return ProbeResult::kNoMatch;
  if (d.size() < 8) return ProbeResult::kNeedMore;
  if ((d[1] & 0xfe) != 0) return ProbeResult::kNoMatch;
  return (d[4] == 0xff || d[4] == 0xfe || d[4] == 0xfd) && d[5] == 'S' && d[6] == 'M' && d[7] == 'B' ? ProbeResult::kMatch
                                                                                                     : ProbeResult::kNoMatch;
}

}  // namespace

MS_REGISTER_DISSECTOR(smb, DissectorSpec{"smb", kTransportTcp, {445, 139}, probe,
                                         [] { return std::unique_ptr<Dissector>(new SmbDissector); }});

}  // namespace ms::smb
