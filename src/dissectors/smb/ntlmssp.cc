#include "dissectors/smb/ntlmssp.h"

#include <algorithm>
#include <cstring>

#include "dissectors/text.h"

namespace ms::ntlmssp {

namespace {

constexpr uint32_t kUnicode = 0x1, kVersion = 0x02000000;

// A security buffer: length, max length, offset from the message start.
Bytes field(Bytes msg, size_t at) {
  if (at + 8 > msg.size()) return {};
  uint16_t len = le16(msg.data() + at);
  uint32_t off = le32(msg.data() + at + 4);
  if (off > msg.size() || len > msg.size() - off) return {};
  return msg.subspan(off, len);
}

std::string str(Bytes b, bool unicode) { return unicode ? text::utf16le(b, 512) : text::str(b, 256); }

std::string version_at(Bytes msg, size_t at) {
  if (at + 8 > msg.size()) return "";
  return std::to_string(msg[at]) + "." + std::to_string(msg[at + 1]) + " build " + std::to_string(le16(msg.data() + at + 2)) +
         " rev " + std::to_string(msg[at + 7]);
}

}  // namespace

bool find_and_parse(Bytes blob, Message& m) {
  static const uint8_t sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
  auto it = std::search(blob.begin(), blob.end(), std::begin(sig), std::end(sig));
  if (it == blob.end()) return false;
  Bytes msg = blob.subspan(static_cast<size_t>(it - blob.begin()));
  if (msg.size() < 12) return false;
  m.type = le32(msg.data() + 8);
  switch (m.type) {
    case 1:
      if (msg.size() < 16) return false;
      m.flags = le32(msg.data() + 12);
      m.domain = text::str(field(msg, 16));
      m.workstation = text::str(field(msg, 24));
      if ((m.flags & kVersion) && msg.size() >= 40) m.version = version_at(msg, 32);
      return true;
    case 2: {
      if (msg.size() < 32) return false;
      m.flags = le32(msg.data() + 20);
      bool u = m.flags & kUnicode;
      m.target_name = str(field(msg, 12), u);
      if (msg.size() >= 48) {
        Bytes info = field(msg, 40);
        size_t p = 0;
        while (p + 4 <= info.size()) {
          uint16_t id = le16(info.data() + p), len = le16(info.data() + p + 2);
          p += 4;
          if (id == 0 || p + len > info.size()) break;
          std::string v = text::utf16le(info.subspan(p, len), 512);
          switch (id) {
            case 1: m.nb_computer = v; break;
            case 2: m.nb_domain = v; break;
            case 3: m.dns_computer = v; break;
            case 4: m.dns_domain = v; break;
            case 5: m.dns_tree = v; break;
            default: break;
          }
          p += len;
        }
      }
      if ((m.flags & kVersion) && msg.size() >= 56) m.version = version_at(msg, 48);
      return true;
    }
    case 3: {
      if (msg.size() < 64) return false;
      m.flags = le32(msg.data() + 60);
      bool u = m.flags & kUnicode;
      Bytes nt = field(msg, 20);
      m.domain = str(field(msg, 28), u);
      m.user = str(field(msg, 36), u);
      m.workstation = str(field(msg, 44), u);
      m.anonymous = m.user.empty() && nt.empty();
      if ((m.flags & kVersion) && msg.size() >= 72) m.version = version_at(msg, 64);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace ms::ntlmssp
