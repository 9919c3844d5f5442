"""What the lab's devices send: DICOM objects made with pydicom (identity tags
of the device and of invented patients, a chosen 128-byte preamble) and HL7 v2
messages (MLLP-framed for python3-hl7's mllp_send)."""
import datetime
import os
import struct

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

SOP_CLASSES = {
    "CT": "1.2.840.10008.5.1.4.1.1.2",
    "MR": "1.2.840.10008.5.1.4.1.1.4",
    "CR": "1.2.840.10008.5.1.4.1.1.1",
    "DX": "1.2.840.10008.5.1.4.1.1.1.1",
    "US": "1.2.840.10008.5.1.4.1.1.6.1",
    "NM": "1.2.840.10008.5.1.4.1.1.20",
}


def preamble(kind):
    """128 bytes: zeros (usual), TIFF header, or an executable header
    (CVE-2019-11687: a DICOM file that is also a Windows PE or a Linux ELF)."""
    if kind == "zeros":
        return b"\0" * 128
    if kind == "tiff":
        return (b"II*\0" + struct.pack("<I", 8)).ljust(128, b"\0")
    if kind == "pe":
        # DOS header: "MZ", e_lfanew at 0x3C pointing past the preamble.
        b = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
        b = b.ljust(128, b"\0")
        struct.pack_into("<I", b, 0x3C, 0x80)
        return bytes(b)
    if kind == "elf":
        return (b"\x7fELF\x02\x01\x01\0" + b"\0" * 8 + struct.pack("<HHI", 2, 0x3E, 1)).ljust(128, b"\0")
    raise ValueError("unknown preamble kind %r" % kind)


def dicom_file(path, modality, patient, device, study_uid=None, preamble_kind="zeros", size=32,
               implicit=False):
    """Writes one image with the identity tags a sensor must find.
    patient: {name, id, birth_date}; device: {manufacturer, model, software, serial, station,
    institution}."""
    sop_class = SOP_CLASSES[modality]
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.9.7433.1"  # medsentry lab
    ds = Dataset()
    ds.file_meta = meta
    ds.preamble = preamble(preamble_kind)
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyDate = datetime.date.today().strftime("%Y%m%d")
    ds.StudyID = "1"
    ds.AccessionNumber = "ACC%06d" % (abs(hash(patient["id"])) % 1000000)
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.Modality = modality
    ds.PatientName = patient["name"]
    ds.PatientID = patient["id"]
    ds.PatientBirthDate = patient.get("birth_date", "")
    ds.PatientSex = patient.get("sex", "O")
    ds.Manufacturer = device.get("manufacturer", "")
    ds.ManufacturerModelName = device.get("model", "")
    ds.SoftwareVersions = device.get("software", "")
    ds.DeviceSerialNumber = device.get("serial", "")
    ds.StationName = device.get("station", "")
    ds.InstitutionName = device.get("institution", "")
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = size
    ds.Columns = size
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    # A small image gets a gradient; a large one noise (fast to make, and as
    # incompressible as real pixel data).
    ds.PixelData = (bytes((x * 7 + y * 3) & 0xFF for y in range(size) for x in range(size * 2)) if size <= 64
                    else os.urandom(size * size * 2))
    ds.is_little_endian = True
    ds.is_implicit_VR = implicit
    pydicom.dcmwrite(path, ds, write_like_original=False)
    return path


def hl7_message(kind, sending_app, sending_facility, receiving_app, receiving_facility, control_id,
                patient, device_id=None, version="2.6", value="42"):
    """One HL7 v2 message (segments joined by CR). kind: ORU, ADT, ORM, RDE (a
    pharmacy order an infusion pump's gateway programs the pump from)."""
    now = datetime.datetime.now().strftime("%Y%m%d%H%M%S")
    mtype = {"ORU": "ORU^R01^ORU_R01", "ADT": "ADT^A01^ADT_A01", "ORM": "ORM^O01^ORM_O01", "RDE": "RDE^O11^RDE_O11"}[kind]
    segs = ["MSH|^~\\&|%s|%s|%s|%s|%s||%s|%s|P|%s" % (sending_app, sending_facility, receiving_app,
                                                       receiving_facility, now, mtype, control_id, version),
            "PID|1||%s^^^%s^MR||%s||%s|%s" % (patient["id"], sending_facility, patient["name"],
                                             patient.get("birth_date", ""), patient.get("sex", "U"))]
    if kind == "ADT":
        segs.append("PV1|1|I|ICU^04^1")
    elif kind == "RDE":
        segs.append("ORC|NW|RX%s" % control_id)
        # RXE-1 quantity/timing, -2 give code, -3 amount, -5 units, then the rate (RXE-23/24).
        segs.append("RXE|^^^%s^^R|HEP25^Heparin 25000 units/250 mL|%s||units/h%s" % (now[:8], value, "|" * 18 + "10|mL/h"))
    elif kind == "ORM":
        segs.append("ORC|NW|ORD%s" % control_id)
        segs.append("OBR|1|ORD%s||CT^CT CHEST" % control_id)
    else:
        segs.append("OBR|1|||VITALS^Vital signs")
        # OBX fields 1..18 (HL7 v2.5 §7.4.2): 18 is the equipment instance identifier.
        obx = ["OBX", "1", "NM", "8867-4^Heart rate^LN", "", value, "/min", "", "", "", "", "F", "", "", now,
               "", "", "", device_id or ""]
        segs.append("|".join(obx).rstrip("|"))
    return "\r".join(segs) + "\r"


def mllp_file(path, messages):
    """A file for mllp_send: each message framed VT ... FS CR."""
    with open(path, "w", newline="") as f:
        for m in messages:
            f.write("\x0b" + m + "\x1c\x0d")
    return path


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def fhir_patient(patient):
    """A FHIR R4 Patient resource for a scenario patient (invented)."""
    family, _, given = patient["name"].partition("^")
    bd = patient.get("birth_date", "")
    res = {"resourceType": "Patient", "id": patient["id"].lower(),
           "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.9999", "value": patient["id"]}],
           "name": [{"family": family, "given": [given.split("^")[0]] if given else []}],
           "gender": {"F": "female", "M": "male"}.get(patient.get("sex"), "unknown")}
    if len(bd) == 8:
        res["birthDate"] = "%s-%s-%s" % (bd[:4], bd[4:6], bd[6:])
    return res


def fhir_observation(patient, device_id, value):
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
            "subject": {"reference": "Patient/" + patient["id"].lower()},
            "device": {"display": device_id}, "valueQuantity": {"value": value, "unit": "/min"}}


def worklist_item(path, patient, modality, station_ae, accession, procedure="CT CHEST"):
    """A modality worklist item (PS3.4 Annex K) for dcmtk's wlmscpfs."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.31"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.AccessionNumber = accession
    ds.PatientName = patient["name"]
    ds.PatientID = patient["id"]
    ds.PatientBirthDate = patient.get("birth_date", "")
    ds.PatientSex = patient.get("sex", "O")
    ds.StudyInstanceUID = generate_uid()
    ds.RequestedProcedureID = "RP" + accession
    ds.RequestedProcedureDescription = procedure
    step = Dataset()
    step.Modality = modality
    step.ScheduledStationAETitle = station_ae
    step.ScheduledProcedureStepStartDate = datetime.date.today().strftime("%Y%m%d")
    step.ScheduledProcedureStepStartTime = "090000"
    step.ScheduledProcedureStepDescription = procedure
    step.ScheduledProcedureStepID = "SPS" + accession
    ds.ScheduledProcedureStepSequence = [step]
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    pydicom.dcmwrite(path, ds, write_like_original=False)
    return path
