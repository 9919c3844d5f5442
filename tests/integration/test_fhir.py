"""FHIR over HTTP (issue 4): interactions, resource types and bundles on the
lab's FHIR traffic (curl against a FHIR server stand-in), patients as tokens
that are the same across protocols, XML, and look-alikes."""
import os

import mstest
import pcapgen
import test_http




def test_interactions_on_lab_capture():
    assert os.geteuid() == 0, "the lab needs root"
    pcap = mstest.lab_capture("ehr")
    n, run = test_http.compare_with_tshark(pcap, mstest.workdir("ehr"), ports=(8080,))
    f = [e["fhir"] for e in sorted(run.of_type("fhir"), key=lambda e: e["timestamp"])]
    assert [x["interaction"] for x in f] == ["capabilities", "read", "search", "update", "create", "transaction"], f
    assert [x.get("resource_type") for x in f] == ["CapabilityStatement", "Patient", "Patient", "Patient",
                                                   "Observation", "Bundle"]
    assert f[2]["bundle"] == {"type": "searchset", "entries": 1, "resource_types": {"Patient": 1}}
    assert f[5]["bundle"] == {"type": "transaction", "entries": 2, "resource_types": {"Patient": 2}}
    assert len(f[5]["patient_ids"]) == 2 and len(f[5]["patient_names"]) == 2
    assert f[1]["id"].startswith("phi:") and f[1]["patient_ids"] == [f[1]["id"]]
    assert f[4]["phi"] and f[4]["patient_ids"] == [f[1]["id"]]  # the Observation's subject
    urls = [e["http"]["url"] for e in run.of_type("http")]
    assert "/fhir/Patient/" + f[1]["id"] in urls and not any("pid778812" in u.lower() for u in urls)


def test_same_patient_same_token_across_protocols():
    """Jane's ID in a DICOM store (imaging), an HL7 message (lab) and FHIR
    (ehr) gives one token under one key: her data can be followed, not read."""
    assert os.geteuid() == 0, "the lab needs root"
    key = os.path.join(mstest.workdir("key"), "k")
    dicom = mstest.analyze(mstest.lab_capture("imaging"), mstest.workdir("x_imaging"), extra=("--phi-key", key))
    fhir = mstest.analyze(mstest.lab_capture("ehr"), mstest.workdir("x_ehr"), extra=("--phi-key", key))
    stored = {e["dicom_command"]["object"]["patient_id"] for e in dicom.of_type("dicom_command")
              if "object" in e["dicom_command"]}
    read = [e["fhir"]["id"] for e in fhir.of_type("fhir") if e["fhir"]["interaction"] == "read"][0]
    assert read in stored, (read, stored)


def test_xml_and_lookalikes():
    d = mstest.workdir("xml")
    xml = (b'<?xml version="1.0"?><Patient xmlns="http://hl7.org/fhir"><id value="p1"/>'
           b'<name><family value="DOE"/></name></Patient>')
    s1 = pcapgen.TcpSession(("10.1.0.30", 40300), ("10.1.0.80", 8080))
    s1.send(0, b"GET /baseR4/Patient/p1 HTTP/1.1\r\nHost: ehr\r\nAccept: application/fhir+xml\r\n\r\n")
    s1.send(1, b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+xml\r\nContent-Length: %d\r\n\r\n" % len(xml) + xml)
    s1.close()
    # A JSON API that is not FHIR, and JSON that only mentions the word.
    s2 = pcapgen.TcpSession(("10.1.0.30", 40301), ("10.1.0.80", 8081), t0=1700000010.0)
    body = b'{"status": "ok", "note": "resourceType is a FHIR word"}'
    s2.send(0, b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
    s2.send(1, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    s2.close()
    pcap = os.path.join(d, "xml.pcap")
    pcapgen.write(pcap, [s1, s2])
    run = mstest.analyze(pcap, os.path.join(d, "out"))
    f = [e["fhir"] for e in run.of_type("fhir")]
    assert len(f) == 1, f
    assert f[0]["format"] == "xml" and f[0]["resource_type"] == "Patient" and f[0]["interaction"] == "read"
    assert f[0]["id"].startswith("phi:")
    assert b"p1" not in open(os.path.join(d, "out", "events.jsonl"), "rb").read().replace(b"phi:", b"")


if __name__ == "__main__":
    mstest.main(globals())
