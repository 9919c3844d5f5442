// DICOM events (associations, DIMSE commands, DICOM files) -> inventory
// observations: AE titles, implementations, service roles, the identity tags
// of objects, patient data on the wire. Reads the typed events
// (dicom_events.h): no JSON is parsed.
#include "common/json_read_back.h"
#include "dissectors/dicom/dicom_events.h"
#include "inventory/observe_registry.h"

namespace ms::inv {

namespace {

// Values as the JSON line reads back (json_writer.h), as the observations
// held when they were read from the line.
std::string text(std::string_view s) { return json_read_back(s); }

void observe_dicom(const ObserveCtx& c) {
  const dicom::DicomEvent* d = c.e.as<dicom::DicomEvent>();
  if (!d || !d->accepted()) return;  // scanners guess AE titles
  c.add(c.src, "ae_title", d->calling_ae(), "dicom.calling_ae", kStated);
  c.add(c.dst, "ae_title", d->called_ae(), "dicom.called_ae", kStated);
  c.add(c.src, "dicom_implementation", d->implementation_version(), "dicom.implementation", kStated);
  c.add(c.dst, "dicom_implementation", d->implementation_version_ac(), "dicom.implementation", kStated);
}

// DICOM identity tags of an object: they describe the device that made it,
// which is the sender of a C-STORE unless the sender forwards (a PACS
// answering a C-MOVE). The inventory decides at derivation (docs/inventory.md).
void observe_object(const ObserveCtx& c, const std::string& dev, const dicom::ObjectInfo& o, const char* source) {
  if (o.manufacturer.empty() && o.model.empty() && o.station.empty()) return;
  // One value ties the tags together, so that conflicting objects stay apart.
  std::string ident = text(o.manufacturer) + "|" + text(o.model) + "|" + text(o.software_versions) + "|" +
                      text(o.serial) + "|" + text(o.station) + "|" + text(o.modality);
  c.add(dev, "dicom_object", ident, source, kStated);
  c.add(dev, "institution", o.institution, source, kStated);
}

void observe_phi(const ObserveCtx& c, std::string_view value, const char* source) {
  c.add(c.src, "phi", value, source, kStated);
  c.add(c.dst, "phi", value, source, kStated);
}

void observe_dicom_command(const ObserveCtx& c) {
  const dicom::DicomCommandEvent* d = c.e.as<dicom::DicomCommandEvent>();
  if (!d) return;
  if (d->field == 0x0001) {  // C-STORE-RQ
    c.add(c.dst, "dicom_role", "store_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", "store_scu", "dicom", kStated);
    if (d->has_object()) observe_object(c, c.src, d->object, "dicom.c_store");
  } else if (d->field == 0x0020) {  // C-FIND-RQ
    bool worklist = d->sop_class.rfind("1.2.840.10008.5.1.4.31", 0) == 0;
    c.add(c.dst, "dicom_role", worklist ? "worklist_scp" : "query_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", worklist ? "worklist_scu" : "query_scu", "dicom", kStated);
  } else if (d->field == 0x0021 || d->field == 0x0010) {  // C-MOVE-RQ, C-GET-RQ
    c.add(c.dst, "dicom_role", "retrieve_scp", "dicom", kStated);
    c.add(c.src, "dicom_role", "retrieve_scu", "dicom", kStated);
  }
  if (d->has_object() && d->object.has_patient()) observe_phi(c, "dicom", "dicom");
  if (d->has_query()) {
    for (const dicom::QueryKey& k : d->keys) {
      if (k.key.rfind("Patient", 0) == 0 && !k.value.empty()) {
        observe_phi(c, "dicom", "dicom");
        break;
      }
    }
  }
}

void observe_dicom_file(const ObserveCtx& c) {
  const dicom::DicomFileEvent* d = c.e.as<dicom::DicomFileEvent>();
  if (!d) return;
  // Written (uploaded) files come from the writer; a read file comes from
  // storage and says nothing of the server that holds it.
  if (d->to_server) observe_object(c, c.src, d->object, "dicom_file");
  if (d->phi) observe_phi(c, d->transport.empty() ? std::string("dicom_file") : text(d->transport), "dicom_file");
}

}  // namespace

MS_REGISTER_OBSERVER(dicom, {.event_type = "dicom", .typed = observe_dicom});
MS_REGISTER_OBSERVER(dicom_command, {.event_type = "dicom_command", .typed = observe_dicom_command});
MS_REGISTER_OBSERVER(dicom_file, {.event_type = "dicom_file", .typed = observe_dicom_file});
MS_REGISTER_APP_SECURITY(dicom, "dicom", "cleartext");

}  // namespace ms::inv
