// Device and patient identity of a DICOM object.
#include "dissectors/dicom/dicom_object.h"

namespace ms::dicom {

std::string element_token(const DataElement& e, const AppContext& ctx) {
  switch (element_info(e.tag).use) {
    case ElementUse::kPhiName: return ctx.phi("name", element_text(e, 64));
    case ElementUse::kPhiId: return ctx.phi("id", element_text(e, 64));
    case ElementUse::kPhiDate: return ctx.phi("birth_date", element_text(e, 64));
    default: return "";
  }
}

ObjectInfo object_info(const DatasetScan& scan, const AppContext& ctx) {
  ObjectInfo o;
  for (const DataElement& e : scan.elements) {
    switch (e.tag) {
      case tag(0x0008, 0x0060): o.modality = element_text(e, 64); break;
      case tag(0x0008, 0x0070): o.manufacturer = element_text(e, 64); break;
      case tag(0x0008, 0x1090): o.model = element_text(e, 64); break;
      case tag(0x0018, 0x1020): o.software_versions = element_text(e, 64); break;
      case tag(0x0018, 0x1000): o.serial = element_text(e, 64); break;
      case tag(0x0008, 0x1010): o.station = element_text(e, 64); break;
      case tag(0x0008, 0x0080): o.institution = element_text(e, 64); break;
      case tag(0x0010, 0x0010): o.patient_name = element_token(e, ctx); break;
      case tag(0x0010, 0x0020): o.patient_id = element_token(e, ctx); break;
      case tag(0x0010, 0x0030): o.birth_date = element_token(e, ctx); break;
      default: break;
    }
  }
  return o;
}

void write_object(JsonWriter& w, const ObjectInfo& o, bool with_patient) {
  auto opt = [&w](JsonKey k, const std::string& v) {
    if (!v.empty()) w.kv(k, v);
  };
  opt("modality", o.modality);
  opt("manufacturer", o.manufacturer);
  opt("model", o.model);
  opt("software_versions", o.software_versions);
  opt("serial_number", o.serial);
  opt("station_name", o.station);
  opt("institution", o.institution);
  if (with_patient) {
    opt("patient_name", o.patient_name);
    opt("patient_id", o.patient_id);
    opt("patient_birth_date", o.birth_date);
  }
}

}  // namespace ms::dicom
