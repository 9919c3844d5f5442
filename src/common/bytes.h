// Bounds-checked reads from a byte span. Every decoder reads through these so
// that no length taken from the wire can move a read past the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ms {

using Bytes = std::span<const uint8_t>;

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
inline uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[1] << 8 | p[0]); }
inline uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[3]) << 24 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[1]) << 8 | p[0];
}
inline uint64_t le64(const uint8_t* p) { return static_cast<uint64_t>(le32(p + 4)) << 32 | le32(p); }

// A cursor over a span. Reads past the end fail (return false) and leave the
// cursor where it was; nothing is ever read outside [data, data + size).
class ByteReader {
 public:
  explicit ByteReader(Bytes b) : b_(b) {}
  size_t remaining() const { return b_.size() - pos_; }
  size_t pos() const { return pos_; }
  const uint8_t* cur() const { return b_.data() + pos_; }
  bool skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  bool u8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = b_[pos_++];
    return true;
  }
  bool u16be(uint16_t& v) {
    if (remaining() < 2) return false;
    v = be16(cur());
    pos_ += 2;
    return true;
  }
  bool u32be(uint32_t& v) {
    if (remaining() < 4) return false;
    v = be32(cur());
    pos_ += 4;
    return true;
  }
  bool take(size_t n, Bytes& out) {
    if (n > remaining()) return false;
    out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  Bytes b_;
  size_t pos_ = 0;
};

}  // namespace ms
