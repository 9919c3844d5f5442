// DICOM data set scanning: PS3.5 §7.1 (element encodings), §7.5 (sequences).
#include "dissectors/dicom/dicom_dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ms::dicom {

namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxElements = 512;
constexpr uint32_t kUndefined = 0xFFFFFFFF;
constexpr uint32_t kItem = tag(0xFFFE, 0xE000);
constexpr uint32_t kItemEnd = tag(0xFFFE, 0xE00D);
constexpr uint32_t kSequenceEnd = tag(0xFFFE, 0xE0DD);

// VRs with a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1).
bool long_vr(const char* vr) {
  static const char* kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* l : kLong) {
    if (vr[0] == l[0] && vr[1] == l[1]) return true;
  }
  return false;
}

struct Reader {
  Bytes d;
  size_t pos = 0;
  bool explicit_vr;
  bool big = false;  // explicit VR big endian: tags and lengths byte-swapped
  size_t left() const { return d.size() - pos; }
  uint16_t u16(const uint8_t* p) const { return big ? be16(p) : le16(p); }
  uint32_t u32(const uint8_t* p) const { return big ? be32(p) : le32(p); }
};

// Reads one element header. Returns false at the end of the input.
bool header(Reader& r, uint32_t& t, char vr[3], uint32_t& len, bool& truncated) {
  if (r.left() < 8) {
    truncated = r.left() > 0;
    return false;
  }
  const uint8_t* p = r.d.data() + r.pos;
  t = static_cast<uint32_t>(r.u16(p)) << 16 | r.u16(p + 2);
  vr[0] = vr[1] = vr[2] = 0;
  if (t == kItem || t == kItemEnd || t == kSequenceEnd || !r.explicit_vr) {
    len = r.u32(p + 4);  // item tags have no VR, even in explicit VR
    r.pos += 8;
    return true;
  }
  vr[0] = static_cast<char>(p[4]);
  vr[1] = static_cast<char>(p[5]);
  if (long_vr(vr)) {
    if (r.left() < 12) {
      truncated = true;
      return false;
    }
    len = r.u32(p + 8);
    r.pos += 12;
  } else {
    len = r.u16(p + 6);
    r.pos += 8;
  }
  return true;
}

bool skip_value(Reader& r, uint32_t t, const char* vr, uint32_t len, int depth, DatasetScan& out);

// Elements until `end_tag` (an item or sequence delimiter) or the input end.
bool skip_until(Reader& r, uint32_t end_tag, int depth, DatasetScan& out) {
  if (depth > kMaxDepth) {
    out.error = "dicom.dataset_too_deep";
    return false;
  }
  for (;;) {
    uint32_t t, len;
    char vr[3];
    if (!header(r, t, vr, len, out.truncated)) {
      out.truncated = true;
      return false;
    }
    if (t == end_tag) return true;
    if (!skip_value(r, t, vr, len, depth, out)) return false;
  }
}

bool skip_value(Reader& r, uint32_t t, const char* vr, uint32_t len, int depth, DatasetScan& out) {
  if (len != kUndefined) {
    if (len > r.left()) {
      out.truncated = true;
      r.pos = r.d.size();
      return false;
    }
    r.pos += len;
    return true;
  }
  // Undefined length: a sequence (SQ, or any element in implicit VR), or an
  // item, closed by its delimiter.
  if (t == kItem) return skip_until(r, kItemEnd, depth + 1, out);
  (void)vr;
  for (;;) {
    uint32_t it, ilen;
    char ivr[3];
    if (!header(r, it, ivr, ilen, out.truncated)) {
      out.truncated = true;
      return false;
    }
    if (it == kSequenceEnd) return true;
    if (it != kItem) {
      out.error = "dicom.bad_sequence_item";
      return false;
    }
    if (!skip_value(r, it, ivr, ilen, depth + 1, out)) return false;
  }
}

}  // namespace

void scan_dataset(Bytes data, bool explicit_vr, uint32_t stop_tag, DatasetScan& out, bool big_endian) {
  Reader r{data, 0, explicit_vr || big_endian, big_endian};
  uint32_t last = 0;
  while (r.left() > 0) {
    size_t start = r.pos;
    uint32_t t, len;
    char vr[3];
    if (!header(r, t, vr, len, out.truncated)) return;
    if (t >= stop_tag) {
      out.reached_stop = true;
      return;
    }
    if (t < last) {
      out.error = "dicom.dataset_out_of_order";  // PS3.5 §7.1: ascending tag order
      return;
    }
    last = t;
    if (out.elements.size() >= kMaxElements) {
      out.error = "dicom.dataset_too_many_elements";
      return;
    }
    bool sequence = len == kUndefined || (vr[0] == 'S' && vr[1] == 'Q');
    if (sequence) {
      if (!skip_value(r, t, vr, len, 0, out)) return;
      DataElement e;
      e.tag = t;
      std::memcpy(e.vr, vr, 3);
      out.elements.push_back(e);  // present, value not kept
      continue;
    }
    if (len > r.left()) {
      out.truncated = true;
      (void)start;
      return;
    }
    DataElement e;
    e.tag = t;
    std::memcpy(e.vr, vr, 3);
    e.value = data.subspan(r.pos, len);
    r.pos += len;
    out.elements.push_back(e);
  }
}

Encoding encoding_of(std::string_view ts) {
  if (ts == "1.2.840.10008.1.2") return Encoding::kImplicitLittle;
  if (ts == "1.2.840.10008.1.2.2") return Encoding::kExplicitBig;
  if (ts == "1.2.840.10008.1.2.1.99") return Encoding::kDeflated;
  return Encoding::kExplicitLittle;
}

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kImplicitLittle: return "implicit_little";
    case Encoding::kExplicitLittle: return "explicit_little";
    case Encoding::kExplicitBig: return "explicit_big";
    case Encoding::kDeflated: return "deflated";
  }
  return "";
}

namespace {

// Inflates a raw deflate stream into `out`, at most `max` bytes. False if the
// stream is corrupt; a stream cut short (or longer than `max`) is not an error.
bool inflate_prefix(Bytes in, size_t max, std::vector<uint8_t>& out, bool& cut) {
  out.clear();
  cut = false;
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
  out.resize(max);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(std::min<size_t>(max, UINT32_MAX));
  int rc = inflate(&z, Z_SYNC_FLUSH);
  size_t produced = max - z.avail_out;
  inflateEnd(&z);
  out.resize(produced);
  if (rc == Z_STREAM_END) return true;
  if (rc == Z_OK || rc == Z_BUF_ERROR) {
    cut = true;  // input ended, or the output limit was reached
    return true;
  }
  return false;  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR
}

}  // namespace

void scan_encoded(Bytes data, Encoding enc, uint32_t stop_tag, size_t max_inflated, std::vector<uint8_t>& inflated,
                  DatasetScan& out) {
  switch (enc) {
    case Encoding::kImplicitLittle: scan_dataset(data, false, stop_tag, out); return;
    case Encoding::kExplicitLittle: scan_dataset(data, true, stop_tag, out); return;
    case Encoding::kExplicitBig: scan_dataset(data, true, stop_tag, out, true); return;
    case Encoding::kDeflated: break;
  }
  bool cut = false;
  if (!inflate_prefix(data, max_inflated, inflated, cut)) {
    out.error = "dicom.bad_deflate";
    inflated.clear();
  }
  scan_dataset(Bytes(inflated), true, stop_tag, out);
  if (cut && !out.reached_stop) out.truncated = true;
}

ElementInfo element_info(uint32_t t) {
  switch (t) {
    case tag(0x0008, 0x0016): return {"SOPClassUID", ElementUse::kStructure};
    case tag(0x0008, 0x0018): return {"SOPInstanceUID", ElementUse::kStructure};
    case tag(0x0008, 0x0020): return {"StudyDate", ElementUse::kSilent};
    case tag(0x0008, 0x0030): return {"StudyTime", ElementUse::kSilent};
    case tag(0x0008, 0x0050): return {"AccessionNumber", ElementUse::kPhiId};
    case tag(0x0008, 0x0052): return {"QueryRetrieveLevel", ElementUse::kStructure};
    case tag(0x0008, 0x0060): return {"Modality", ElementUse::kIdentity};
    case tag(0x0008, 0x0061): return {"ModalitiesInStudy", ElementUse::kStructure};
    case tag(0x0008, 0x0070): return {"Manufacturer", ElementUse::kIdentity};
    case tag(0x0008, 0x0080): return {"InstitutionName", ElementUse::kIdentity};
    case tag(0x0008, 0x0090): return {"ReferringPhysicianName", ElementUse::kPhiName};
    case tag(0x0008, 0x1010): return {"StationName", ElementUse::kIdentity};
    case tag(0x0008, 0x1030): return {"StudyDescription", ElementUse::kSilent};
    case tag(0x0008, 0x103E): return {"SeriesDescription", ElementUse::kSilent};
    case tag(0x0008, 0x1090): return {"ManufacturerModelName", ElementUse::kIdentity};
    case tag(0x0010, 0x0010): return {"PatientName", ElementUse::kPhiName};
    case tag(0x0010, 0x0020): return {"PatientID", ElementUse::kPhiId};
    case tag(0x0010, 0x0030): return {"PatientBirthDate", ElementUse::kPhiDate};
    case tag(0x0010, 0x0040): return {"PatientSex", ElementUse::kSilent};
    case tag(0x0010, 0x1000): return {"OtherPatientIDs", ElementUse::kPhiId};
    case tag(0x0010, 0x1001): return {"OtherPatientNames", ElementUse::kPhiName};
    case tag(0x0010, 0x1040): return {"PatientAddress", ElementUse::kSilent};
    case tag(0x0018, 0x1000): return {"DeviceSerialNumber", ElementUse::kIdentity};
    case tag(0x0018, 0x1020): return {"SoftwareVersions", ElementUse::kIdentity};
    case tag(0x0020, 0x000D): return {"StudyInstanceUID", ElementUse::kStructure};
    case tag(0x0020, 0x000E): return {"SeriesInstanceUID", ElementUse::kStructure};
    case tag(0x0020, 0x0010): return {"StudyID", ElementUse::kSilent};
    case tag(0x0040, 0x0100): return {"ScheduledProcedureStepSequence", ElementUse::kSilent};
    default: return {nullptr, ElementUse::kSilent};
  }
}

std::string element_text(const DataElement& e, size_t max) {
  size_t n = e.value.size();
  while (n > 0 && (e.value[n - 1] == ' ' || e.value[n - 1] == 0)) --n;
  size_t s = 0;
  while (s < n && e.value[s] == ' ') ++s;
  if (n - s > max) n = s + max;
  return std::string(reinterpret_cast<const char*>(e.value.data() + s), n - s);
}

const char* match_kind(const DataElement& e) {
  std::string v = element_text(e, 1024);
  if (v.empty()) return "universal";
  if (v.find_first_of("*?") != std::string::npos) return "wildcard";
  if (v.find('\\') != std::string::npos) return "list";
  bool date_like = (e.vr[0] == 'D' && (e.vr[1] == 'A' || e.vr[1] == 'T')) || (e.vr[0] == 'T' && e.vr[1] == 'M') ||
                   e.tag == tag(0x0008, 0x0020) || e.tag == tag(0x0008, 0x0030) || e.tag == tag(0x0010, 0x0030);
  if (date_like && v.find('-') != std::string::npos) return "range";
  return "single";
}

}  // namespace ms::dicom
