// What a DICOM object says about the device that made it and its patient,
// read from a data set scan: one place for the tags of device identity and
// patient identity, used for C-STORE data sets (dicom) and Part 10 files
// carried by other protocols (http). Patient fields are tokens only.
#pragma once

#include <string>

#include "common/json_writer.h"
#include "dissectors/dicom/dicom_dataset.h"
#include "dissectors/dissector.h"

namespace ms::dicom {

struct ObjectInfo {
  std::string modality, manufacturer, model, software_versions, serial, station, institution;
  std::string patient_name, patient_id, birth_date;  // tokens
  bool empty() const { return modality.empty() && manufacturer.empty() && model.empty() && station.empty(); }
  bool has_patient() const { return !patient_name.empty() || !patient_id.empty(); }
};

// The token for a patient identifier element ("" for other elements).
std::string element_token(const DataElement& e, const AppContext& ctx);
ObjectInfo object_info(const DatasetScan& scan, const AppContext& ctx);
// Writes the object's non-empty fields (patient fields only if asked).
void write_object(JsonWriter& w, const ObjectInfo& o, bool with_patient);

}  // namespace ms::dicom
