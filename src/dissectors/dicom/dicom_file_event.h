// The `dicom_file` event: a DICOM Part 10 file found inside another protocol's
// payload (an HTTP body or STOW-RS part, an SMB write or read).
#pragma once

#include <string_view>

#include "dissectors/dicom/dicom_file.h"
#include "dissectors/dissector.h"

namespace ms::dicom {

// transport: "http", "smb" or "tcp"; dir: 0 to the server, 1 to the client.
// The event is DicomFileEvent (dicom_events.h).
void emit_dicom_file(AppContext& ctx, const Part10& f, std::string_view transport, int dir);

}  // namespace ms::dicom
