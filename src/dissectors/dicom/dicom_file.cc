// DICOM Part 10 files: PS3.10 §7.1 (preamble, prefix, file meta information).
#include "dissectors/dicom/dicom_file.h"

#include <cstring>

namespace ms::dicom {

bool is_part10(Bytes b) { return b.size() >= 132 && std::memcmp(b.data() + 128, "DICM", 4) == 0; }

const char* preamble_kind(Bytes p) {
  if (p.size() < 128) return "other";
  bool zeros = true;
  for (size_t i = 0; i < 128; ++i) zeros &= p[i] == 0;
  if (zeros) return "zeros";
  if (p[0] == 'M' && p[1] == 'Z') return "pe";                                   // DOS/PE header
  if (p[0] == 0x7F && p[1] == 'E' && p[2] == 'L' && p[3] == 'F') return "elf";  // ELF
  if ((p[0] == 'I' && p[1] == 'I' && p[2] == 42 && p[3] == 0) || (p[0] == 'M' && p[1] == 'M' && p[2] == 0 && p[3] == 42)) {
    return "tiff";
  }
  if (p[0] == 0xCA && p[1] == 0xFE && p[2] == 0xBA && p[3] == 0xBE) return "macho";
  if (p[0] == 0xCF && p[1] == 0xFA && p[2] == 0xED && p[3] == 0xFE) return "macho";
  if (p[0] == '#' && p[1] == '!') return "script";
  return "other";
}

void parse_part10(Bytes b, Part10& out) {
  out.preamble_kind = preamble_kind(b);
  if (!is_part10(b)) return;
  // The file meta group (0002,xxxx) is always explicit VR little endian.
  Bytes rest = b.subspan(132);
  DatasetScan meta;
  scan_dataset(rest, true, tag(0x0003, 0x0000), meta);
  size_t meta_end = 0;
  for (const DataElement& e : meta.elements) {
    std::string v = element_text(e, 64);
    switch (e.tag) {
      case tag(0x0002, 0x0002): out.media_sop_class = v; break;
      case tag(0x0002, 0x0003): out.media_sop_instance = v; break;
      case tag(0x0002, 0x0010): out.transfer_syntax = v; break;
      case tag(0x0002, 0x0012): out.implementation_class_uid = v; break;
      default: break;
    }
    if (!e.value.empty()) meta_end = static_cast<size_t>(e.value.data() + e.value.size() - rest.data());
  }
  // The group length (0002,0000), first in the group, says where it ends.
  if (!meta.elements.empty() && meta.elements[0].tag == tag(0x0002, 0x0000) && meta.elements[0].value.size() == 4) {
    const DataElement& gl = meta.elements[0];
    meta_end = static_cast<size_t>(gl.value.data() + 4 - rest.data()) + le32(gl.value.data());
  }
  if (meta.elements.empty() || meta_end == 0 || meta_end > rest.size()) return;
  // The data set follows in the file's own transfer syntax; a deflated one is
  // inflated up to 64 KiB (the identity tags lead the data set).
  scan_encoded(rest.subspan(meta_end), encoding_of(out.transfer_syntax), tag(0x0041, 0x0000), 64 * 1024, out.inflated,
               out.dataset);
  out.dataset_parsed = out.dataset.error == nullptr || !out.dataset.elements.empty();
}

}  // namespace ms::dicom
