// The `dicom_file` event of a Part 10 file found in another protocol's
// payload: fills DicomFileEvent (dicom_events.h; its JSON: dicom_log.cc).
#include "dissectors/dicom/dicom_file_event.h"

#include "dissectors/dicom/dicom_events.h"

namespace ms::dicom {

void emit_dicom_file(AppContext& ctx, const Part10& f, std::string_view transport, int dir) {
  auto ev = std::make_unique<DicomFileEvent>();
  ev->transport = transport;
  ev->to_server = dir == 0;
  ev->preamble = f.preamble_kind;
  ev->transfer_syntax = f.transfer_syntax;
  ev->sop_class = f.media_sop_class;
  ev->sop_instance = f.media_sop_instance;
  ev->object = object_info(f.dataset, ctx);
  ev->phi = ev->object.has_patient();
  ctx.emit(make_event(ctx.envelope(), "dicom_file", std::move(ev)));
}

}  // namespace ms::dicom
