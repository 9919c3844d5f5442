#include "dissectors/dicom/dicom_file_event.h"

#include "dissectors/dicom/dicom_object.h"
#include "dissectors/dicom/dicom_parser.h"

namespace ms::dicom {

void emit_dicom_file(AppContext& ctx, const Part10& f, std::string_view transport, int dir) {
  EventBuilder b(ctx.envelope(), "dicom_file");
  JsonWriter& w = b.w();
  w.key("dicom_file").begin_object();
  w.kv("transport", transport);
  w.kv("direction", dir == 0 ? "to_server" : "to_client");
  w.kv("preamble", f.preamble_kind);
  w.kv("executable_preamble", f.preamble_kind == "pe" || f.preamble_kind == "elf" || f.preamble_kind == "macho");
  if (!f.transfer_syntax.empty()) w.kv("transfer_syntax", f.transfer_syntax);
  if (!f.media_sop_class.empty()) {
    w.kv("sop_class", f.media_sop_class);
    if (*uid_name(f.media_sop_class)) w.kv("sop_class_name", uid_name(f.media_sop_class));
  }
  if (!f.media_sop_instance.empty()) w.kv("sop_instance", f.media_sop_instance);
  ObjectInfo o = object_info(f.dataset, ctx);
  w.key("object").begin_object();
  write_object(w, o, true);
  w.end_object();
  w.kv("phi", o.has_patient());
  w.end_object();
  ctx.emit(b.finish());
}

}  // namespace ms::dicom
