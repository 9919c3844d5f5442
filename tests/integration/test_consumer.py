"""Consumer and wearable medical devices identified by the clouds they call
(issue 16). The lab's consumer_cloud scenario (real dnsmasq, openssl s_client
with SNI, curl with an app's user agent): a Withings BPM Connect calling its
maker's API, an Android phone running the Dexcom Share and Withings apps, and
the benign twin, a phone reading the makers' www. sites. Analysed as captured
(Ethernet) and as a phone's capture app writes it (raw IP, no MACs: editcap
cuts the Ethernet header). The names are checked against tshark's SNI."""
import json
import os

import mstest
import pcapgen

BPM, PHONE, TWIN = "10.60.0.131", "10.60.0.141", "10.60.0.142"


def inventory(db):
    p = mstest.run_cmd([mstest.ARGS.binary, "inventory", "--db", db, "--format", "json"])
    assert p.returncode == 0, p.stderr
    return {a["ip"]: d for d in json.loads(p.stdout) for a in d["ips"]}


def table(db):
    p = mstest.run_cmd([mstest.ARGS.binary, "inventory", "--db", db])
    assert p.returncode == 0, p.stderr
    return p.stdout


def makers(uses):
    return {u["maker"] for u in uses}


def sources(uses, maker):
    return {e["source"] for u in uses if u["maker"] == maker for e in u["evidence"]}


def check_lab(pcap, out, ethernet):
    mstest.analyze(pcap, out)
    db = os.path.join(out, "inventory.db")
    inv = inventory(db)
    bpm, phone, twin = inv[BPM], inv[PHONE], inv[TWIN]
    # The BPM calls its maker's cloud: maker, product family, class, medical, evidence.
    assert bpm["manufacturer"] == "Withings" and bpm["class"] == "consumer" and bpm["medical"], bpm
    assert bpm["type"] == "personal health device", bpm["type"]
    assert "BPM" in bpm["model"], bpm["model"]
    cloud = bpm["cloud"]
    assert makers(cloud["device_of"]) == {"Withings"} and not cloud["companion_of"], cloud
    want = {"dns.query", "tls.sni"} | ({"tls.certificate"} if ethernet else set())
    assert want <= sources(cloud["device_of"], "Withings"), cloud
    assert all(e["published"].startswith("https://") for u in cloud["device_of"] for e in u["evidence"])
    ev = [c for c in bpm["conclusions"]["manufacturer"] if c["value"] == "Withings"][0]["evidence"]
    assert any("data/cloud_endpoints.csv" in e["source"] for e in ev), ev
    # The phone runs the companion apps: it is neither maker's device.
    pc = phone["cloud"]
    assert makers(pc["companion_of"]) == {"Dexcom", "Withings"} and not pc["device_of"], pc
    assert pc["phone_or_computer"].startswith("Android"), pc
    assert phone["manufacturer"] not in ("Dexcom", "Withings") and not phone["medical"], phone
    dex = [u for u in pc["companion_of"] if u["maker"] == "Dexcom"][0]
    assert dex["class"] == "wearable" and dex["medical"] and "Dexcom Share" in dex["product_family"], dex
    # The twin read www. pages only: nothing.
    assert "cloud" not in twin and not twin["medical"] and twin["class"] == "unknown", twin
    text = table(db)
    assert "phone %s (Android" % PHONE in text and "runs the companion app of Dexcom" in text, text
    assert "device %s calls the cloud of Withings" % BPM in text, text
    assert TWIN + " " not in "\n".join(l for l in text.splitlines() if "cloud" in l or "companion" in l), text


def test_lab_scenario_ethernet_and_raw_ip():
    pcap = mstest.lab_capture("consumer_cloud")
    # tshark's SNI per client: the names the inventory read are on the wire.
    sni = {(r[0][0], r[1][0]) for r in mstest.tshark_fields(pcap, "tls.handshake.extensions_server_name",
                                                             ["ip.src", "tls.handshake.extensions_server_name"])}
    assert sni == {(BPM, "wbsapi.withings.net"), (PHONE, "share2.dexcom.com"), (PHONE, "wbsapi.withings.net"),
                   (TWIN, "www.withings.com"), (TWIN, "www.dexcom.com")}, sni
    check_lab(pcap, mstest.workdir("eth"), ethernet=True)
    raw = os.path.join(mstest.workdir("rawcap"), "raw.pcap")
    p = mstest.run_cmd(["editcap", "-C", "14", "-T", "rawip", pcap, raw])
    assert p.returncode == 0, p.stderr
    assert mstest.run_cmd(["tshark", "-r", raw, "-T", "fields", "-e", "eth.src", "-c", "5"]).stdout.strip() == ""
    check_lab(raw, mstest.workdir("raw"), ethernet=False)


def http_capture(path, raw_ip):
    """An app's cleartext call (Host and user agent) and a browser on the
    maker's www. site; both clients are only addresses in a raw capture."""
    app = pcapgen.TcpSession(("10.1.0.41", 51000), ("10.1.0.2", 80), t0=1700000000.0, macs=("00142200000a", "3c8d20000041"))
    app.send(0, b"GET /ShareWebServices/Services/General/SystemUtcTime HTTP/1.1\r\nHost: share2.dexcom.com\r\n"
                b"User-Agent: Dexcom Share/3.0.2.11 CFNetwork/711.2.23 Darwin/14.0.0\r\n\r\n")
    app.send(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    app.close()
    web = pcapgen.TcpSession(("10.1.0.42", 51001), ("10.1.0.3", 80), t0=1700000001.0, macs=("00142200000b", "3c8d20000042"))
    web.send(0, b"GET / HTTP/1.1\r\nHost: www.dexcom.com\r\nUser-Agent: Mozilla/5.0 (Linux; Android 13; Pixel 7) "
                b"AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36\r\n\r\n")
    web.send(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    web.close()
    pcapgen.write(path, [app, web], raw_ip=raw_ip)


def test_http_host_and_user_agent():
    for raw in (False, True):
        out = mstest.workdir("http_raw" if raw else "http_eth")
        pcap = os.path.join(out, "capture.pcap")
        http_capture(pcap, raw)
        mstest.analyze(pcap, out)
        inv = inventory(os.path.join(out, "inventory.db"))
        app = inv["10.1.0.41"]["cloud"]
        assert [u["maker"] for u in app["companion_of"]] == ["Dexcom"], app
        assert {"http.host", "http.user_agent"} <= sources(app["companion_of"], "Dexcom"), app
        assert "iOS or macOS" in app["phone_or_computer"], app
        assert "cloud" not in inv["10.1.0.42"], inv["10.1.0.42"]


if __name__ == "__main__":
    mstest.main(globals())
