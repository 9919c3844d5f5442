#!/usr/bin/env python3
"""Builds data/default_credentials.csv from the public lists in ../shared/corpus.

Sources (data only, with their own citations kept per row):
  - DefaultCreds-cheat-sheet/DefaultCreds-Cheat-Sheet.csv (productvendor,username,password)
  - SCADAPASS/scadapass.csv (vendor,device,default password,port,type,protocol,source);
    the password column is free text: every "user:password" pair in it is taken,
    or a single token as a password without a user name.
  - cisagov-CSAF/icsma/*.json: CISA's medical advisories (ICSMA) whose vulnerability
    notes name an account and its password ("has a password of 2getin for the insite
    account"), e.g. ICSMA-18-037-02's GE service accounts; medical=1, source the
    advisory and CVE.
  - data/default_credentials_extra.csv (rows we add by hand, each with its source).
Output columns: vendor,product,username,password,medical,source. "<blank>" becomes
an empty field. medical=1 marks rows about medical devices or clinical software.
Run: scripts/gen-default-creds.py [CORPUS_DIR] > data/default_credentials.csv
"""
import csv
import re
import sys
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared" / "corpus"
MEDICAL = re.compile(r"medical|healthcare|health|ultrasound|ventilat|datex|patient|\bemr\b|dicom|pacs|muse|"
                     r"cardio|tracerlab|fastlab|engstr|eub-|nightingale|astute|medical device server", re.I)

rows = []


def add(vendor, product, user, password, source, text=""):
    user = "" if user == "<blank>" else user.strip()
    password = "" if password == "<blank>" else password.strip()
    if len(user) > 64 or len(password) > 64:
        return
    med = 1 if MEDICAL.search(f"{vendor} {product} {user} {text}") else 0
    rows.append((vendor.strip(), product.strip(), user, password, med, source))


with open(corpus / "DefaultCreds-cheat-sheet/DefaultCreds-Cheat-Sheet.csv", encoding="utf-8", errors="replace") as f:
    for r in csv.DictReader(f):
        if r.get("productvendor") and r.get("password") is not None:
            add(r["productvendor"], "", r["username"] or "", r["password"] or "",
                "DefaultCreds-Cheat-Sheet (ihebski/DefaultCreds-cheat-sheet)")

pair = re.compile(r"([^\s,:()]+):([^\s,()]+)")
with open(corpus / "SCADAPASS/scadapass.csv", encoding="utf-8", errors="replace") as f:
    for r in csv.reader(f):
        if len(r) < 3 or r[0].startswith("#") or r[0] == "Vendor":
            continue
        vendor, device, pw = r[0], r[1], r[2].strip()
        src = "SCADAPASS (scadastrangelove/SCADAPASS)" + (f": {r[6].strip()}" if len(r) > 6 and r[6].strip() else "")
        found = pair.findall(pw)
        if found:
            for u, p in found:
                add(vendor, device, u, p, src, " ".join(r[3:6]))
        elif pw and " " not in pw and pw != "<blank>":
            add(vendor, device, "", pw, src, " ".join(r[3:6]))

# "... has a [default] password of (1) X for the Y user, (2) Z for the W account";
# "a password of X for the (1) Y user and (2) Z user". Quoted values lose their
# quotes; "an empty string/value" is the empty password.
ICSMA_SENTENCE = re.compile(r"^(?:The [^.]*? (?:for|in) (?:the )?)?(?P<product>.+?) (?:has|have|uses?) an? (?:default )?passwords? of (?P<rest>.*?)(?:, which |\. NOTE|\.$|$)")
ICSMA_ONE = re.compile(r"(?:\(\d\)\s*)?(?P<pw>\"[^\"]*\"|an empty (?:string|value)|\S+) for the (?:\(\d\)\s*)?(?:SQL Server )?(?P<user>[\w.$#-]+)(?: \([^)]*\))? (?:user|account)")
ICSMA_MULTI = re.compile(r"^(?P<pw>\S+) for the (?P<users>(?:\(\d\) [\w.$#-]+ user(?:,? and |, )?)+)")


def icsma_rows(advisory):
    d = __import__("json").load(open(advisory, encoding="utf-8"))
    adv_id = d["document"].get("tracking", {}).get("id", advisory.stem.upper())
    vendor = ""
    for b in d.get("product_tree", {}).get("branches", []) or []:
        if b.get("category") == "vendor":
            vendor = b.get("name", "")
            break
    for v in d.get("vulnerabilities", []):
        for n in v.get("notes", []):
            m = ICSMA_SENTENCE.search(n.get("text", ""))
            if not m:
                continue
            product, rest = m.group("product"), m.group("rest")
            src = "%s (%s)" % (adv_id, v.get("cve", "")) if v.get("cve") else adv_id
            multi = ICSMA_MULTI.match(rest)
            if multi:
                for user in re.findall(r"\(\d\) ([\w.$#-]+) user", multi.group("users")):
                    yield vendor, product, user, multi.group("pw"), src
                continue
            for one in ICSMA_ONE.finditer(rest):
                pw = one.group("pw")
                pw = "" if pw.startswith("an empty") else pw.strip('"')
                yield vendor, product, one.group("user"), pw, src


for advisory in sorted((corpus / "cisagov-CSAF/icsma").glob("*.json")):
    for vendor, product, user, pw, src in icsma_rows(advisory):
        if pw or user:
            add(vendor, product, user, pw, src, "medical")

extra = repo / "data/default_credentials_extra.csv"
with open(extra, encoding="utf-8") as f:
    for r in csv.DictReader(f):
        add(r["vendor"], r["product"], r["username"], r["password"], r["source"], "medical" if r["medical"] == "1" else "")

seen = set()
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["vendor", "product", "username", "password", "medical", "source"])
for row in rows:
    key = (row[0].lower(), row[1].lower(), row[2], row[3])
    if key in seen or (not row[2] and not row[3]):
        continue
    seen.add(key)
    w.writerow(row)
