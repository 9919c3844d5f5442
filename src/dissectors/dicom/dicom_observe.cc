// DICOM events (associations, DIMSE commands, DICOM files) -> inventory
// observations: AE titles, implementations, service roles, the identity tags
// of objects, patient data on the wire.
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

void observe_dicom(const ObserveCtx& c, const JsonValue& d) {
  if (str(&d, "result") != "accepted") return;  // scanners guess AE titles
  c.add(c.src, "ae_title", str(&d, "calling_ae"), "dicom.calling_ae", kStated);
  c.add(c.dst, "ae_title", str(&d, "called_ae"), "dicom.called_ae", kStated);
  c.add(c.src, "dicom_implementation", str(&d, "implementation_version"), "dicom.implementation", kStated);
  c.add(c.dst, "dicom_implementation", str(&d, "implementation_version_ac"), "dicom.implementation", kStated);
}

// DICOM identity tags of an object: they describe the device that made it,
// which is the sender of a C-STORE unless the sender forwards (a PACS
// answering a C-MOVE). The inventory decides at derivation (docs/inventory.md).
void observe_object(const ObserveCtx& c, const std::string& dev, const JsonValue& o, const char* source) {
  std::string_view manu = str(&o, "manufacturer"), model = str(&o, "model");
  std::string_view station = str(&o, "station_name");
  // One value ties the tags together, so that conflicting objects stay apart.
  std::string ident = std::string(manu) + "|" + std::string(model) + "|" + std::string(str(&o, "software_versions")) +
                      "|" + std::string(str(&o, "serial_number")) + "|" + std::string(station) + "|" +
                      std::string(str(&o, "modality"));
  if (manu.empty() && model.empty() && station.empty()) return;
  c.add(dev, "dicom_object", ident, source, kStated);
  c.add(dev, "institution", str(&o, "institution"), source, kStated);
}

void observe_dicom_command(const ObserveCtx& c, const JsonValue& d) {
  std::string_view cmd = str(&d, "command");
  std::string_view sop = str(&d, "sop_class");
  if (cmd == "C-STORE-RQ") {
    c.add(c.dst, "dicom_role", "store_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", "store_scu", "dicom", kStated);
    if (const JsonValue* o = d.get("object")) observe_object(c, c.src, *o, "dicom.c_store");
  } else if (cmd == "C-FIND-RQ") {
    bool worklist = sop.rfind("1.2.840.10008.5.1.4.31", 0) == 0;
    c.add(c.dst, "dicom_role", worklist ? "worklist_scp" : "query_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", worklist ? "worklist_scu" : "query_scu", "dicom", kStated);
  } else if (cmd == "C-MOVE-RQ" || cmd == "C-GET-RQ") {
    c.add(c.dst, "dicom_role", "retrieve_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", "retrieve_scu", "dicom", kStated);
  }
  if (const JsonValue* o = d.get("object")) {
    if (o->get("patient_id") || o->get("patient_name")) {
      c.add(c.src, "phi", "dicom", "dicom", kStated);
      c.add(c.dst, "phi", "dicom", "dicom", kStated);
    }
  }
  if (const JsonValue* q = d.get("query")) {
    if (const JsonValue* keys = q->get("keys")) {
      for (const JsonValue& k : keys->items) {
        std::string_view n = str(&k, "key");
        if (n.rfind("Patient", 0) == 0 && !str(&k, "value").empty()) {
          c.add(c.src, "phi", "dicom", "dicom", kStated);
          c.add(c.dst, "phi", "dicom", "dicom", kStated);
          break;
        }
      }
    }
  }
}

void observe_dicom_file(const ObserveCtx& c, const JsonValue& d) {
  // Written (uploaded) files come from the writer; a read file comes from
  // storage and says nothing of the server that holds it.
  std::string_view dir = str(&d, "direction");
  const JsonValue* o = d.get("object");
  if (o && dir == "to_server") observe_object(c, c.src, *o, "dicom_file");
  if (truthy(&d, "phi")) {
    std::string t = std::string(str(&d, "transport"));
    c.add(c.src, "phi", t.empty() ? "dicom_file" : t, "dicom_file", kStated);
    c.add(c.dst, "phi", t.empty() ? "dicom_file" : t, "dicom_file", kStated);
  }
}

}  // namespace

MS_REGISTER_OBSERVER(dicom, {"dicom", observe_dicom});
MS_REGISTER_OBSERVER(dicom_command, {"dicom_command", observe_dicom_command});
MS_REGISTER_OBSERVER(dicom_file, {"dicom_file", observe_dicom_file});
MS_REGISTER_APP_SECURITY(dicom, "dicom", "cleartext");

}  // namespace ms::inv
