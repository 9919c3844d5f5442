// Names of the DICOM UIDs a clinical network carries most (PS3.6 Annex A):
// SOP classes, transfer syntaxes, the application context.
#include <string>
#include <unordered_map>

#include "dissectors/dicom/dicom_parser.h"

namespace ms::dicom {

const char* uid_name(const std::string& uid) {
  static const std::unordered_map<std::string, const char*> kNames = {
      {"1.2.840.10008.3.1.1.1", "DICOM Application Context"},
      {"1.2.840.10008.1.1", "Verification"},
      {"1.2.840.10008.1.2", "Implicit VR Little Endian"},
      {"1.2.840.10008.1.2.1", "Explicit VR Little Endian"},
      {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"},
      {"1.2.840.10008.1.2.2", "Explicit VR Big Endian"},
      {"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"},
      {"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"},
      {"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"},
      {"1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction"},
      {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"},
      {"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)"},
      {"1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)"},
      {"1.2.840.10008.1.2.4.91", "JPEG 2000"},
      {"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"},
      {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"},
      {"1.2.840.10008.1.2.5", "RLE Lossless"},
      {"1.2.840.10008.1.20.1", "Storage Commitment Push Model"},
      {"1.2.840.10008.1.9", "Basic Study Content Notification (Retired)"},
      {"1.2.840.10008.5.1.1.9", "Basic Grayscale Print Management Meta"},
      {"1.2.840.10008.5.1.1.18", "Basic Color Print Management Meta"},
      {"1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - For Presentation"},
      {"1.2.840.10008.5.1.4.1.1.1.1.1", "Digital X-Ray Image Storage - For Processing"},
      {"1.2.840.10008.5.1.4.1.1.1.2", "Digital Mammography X-Ray Image Storage - For Presentation"},
      {"1.2.840.10008.5.1.4.1.1.1.2.1", "Digital Mammography X-Ray Image Storage - For Processing"},
      {"1.2.840.10008.5.1.4.1.1.1.3", "Digital Intra-Oral X-Ray Image Storage - For Presentation"},
      {"1.2.840.10008.5.1.4.1.1.2", "CT Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.2.1", "Enhanced CT Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.3.1", "Ultrasound Multi-frame Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.4", "MR Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.4.1", "Enhanced MR Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.9.1.1", "12-lead ECG Waveform Storage"},
      {"1.2.840.10008.5.1.4.1.1.11.1", "Grayscale Softcopy Presentation State Storage"},
      {"1.2.840.10008.5.1.4.1.1.12.1", "X-Ray Angiographic Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.12.2", "X-Ray Radiofluoroscopic Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.20", "Nuclear Medicine Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.88.11", "Basic Text SR Storage"},
      {"1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage"},
      {"1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage"},
      {"1.2.840.10008.5.1.4.1.1.88.67", "X-Ray Radiation Dose SR Storage"},
      {"1.2.840.10008.5.1.4.1.1.104.1", "Encapsulated PDF Storage"},
      {"1.2.840.10008.5.1.4.1.1.128", "Positron Emission Tomography Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.481.1", "RT Image Storage"},
      {"1.2.840.10008.5.1.4.1.1.481.2", "RT Dose Storage"},
      {"1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage"},
      {"1.2.840.10008.5.1.4.1.1.481.5", "RT Plan Storage"},
      {"1.2.840.10008.5.1.4.1.2.1.1", "Patient Root Query/Retrieve Information Model - FIND"},
      {"1.2.840.10008.5.1.4.1.2.1.2", "Patient Root Query/Retrieve Information Model - MOVE"},
      {"1.2.840.10008.5.1.4.1.2.1.3", "Patient Root Query/Retrieve Information Model - GET"},
      {"1.2.840.10008.5.1.4.1.2.2.1", "Study Root Query/Retrieve Information Model - FIND"},
      {"1.2.840.10008.5.1.4.1.2.2.2", "Study Root Query/Retrieve Information Model - MOVE"},
      {"1.2.840.10008.5.1.4.1.2.2.3", "Study Root Query/Retrieve Information Model - GET"},
      {"1.2.840.10008.5.1.4.31", "Modality Worklist Information Model - FIND"},
      {"1.2.840.10008.3.1.2.3.3", "Modality Performed Procedure Step"},
      {"1.2.840.10008.5.1.4.34.6.1", "Unified Procedure Step - Push"},
  };
  auto it = kNames.find(uid);
  return it == kNames.end() ? "" : it->second;
}

}  // namespace ms::dicom
