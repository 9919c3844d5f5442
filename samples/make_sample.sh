#!/usr/bin/env bash
# Makes samples/clinic-sample.pcap: a few seconds of a small clinic, played by
# real programs in network namespaces on a bridge and captured on the bridge
# as a SPAN port sees it. Run as root on Debian 12 (scripts/install-deps.sh).
#
#   ms-ct    10.20.0.11  MAC 44:4b:5d (GE Healthcare)  CT modality: echoscu, storescu
#   ms-pacs  10.20.0.20  MAC 00:09:5c (Philips Medical) PACS: storescp :104, web :80
#   ms-pump  10.20.0.31  MAC 58:46:e1 (Baxter)           infusion pump: HL7 ORU to the engine
#   ms-eng   10.20.0.40  MAC 00:18:65 (Siemens Healthcare Diagnostics) HL7 engine :2575
#
# The patients are invented (DOE^JANE ...). Nothing leaves the namespaces.
# Usage: samples/make_sample.sh [OUT.pcap]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT=$(realpath -m "${1:-$HERE/clinic-sample.pcap}")
WORK=$(mktemp -d /tmp/ms-sample.XXXXXX)
HOSTS=(ms-ct ms-pacs ms-pump ms-eng)
SW=ms-sw
PIDS=()

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for n in "${HOSTS[@]}" $SW; do
    ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$n" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cleanup 2>/dev/null || true
WORK=$(mktemp -d /tmp/ms-sample.XXXXXX)

ip netns add $SW
ip -n $SW link add br0 type bridge
ip -n $SW link set br0 up
declare -A IP=([ms-ct]=10.20.0.11 [ms-pacs]=10.20.0.20 [ms-pump]=10.20.0.31 [ms-eng]=10.20.0.40)
declare -A MAC=([ms-ct]=44:4b:5d:10:00:11 [ms-pacs]=00:09:5c:10:00:20 [ms-pump]=58:46:e1:10:00:31 [ms-eng]=00:18:65:10:00:40)
i=0
for h in "${HOSTS[@]}"; do
  i=$((i + 1))
  ip netns add "$h"
  ip link add "v$i" netns "$h" type veth peer name "p$i" netns $SW
  ip -n "$h" link set "v$i" address "${MAC[$h]}"
  ip -n "$h" addr add "${IP[$h]}/24" dev "v$i"
  ip -n "$h" link set "v$i" up
  ip -n "$h" link set lo up
  ip -n $SW link set "p$i" master br0
  ip -n $SW link set "p$i" up
  for off in tso gso gro tx rx sg; do
    ip netns exec "$h" ethtool -K "v$i" $off off >/dev/null 2>&1 || true
    ip netns exec $SW ethtool -K "p$i" $off off >/dev/null 2>&1 || true
  done
done

# Content: two small CT images with patient identity, an HL7 ORU.
printf 'P5\n64 64\n255\n' > "$WORK/img.pgm"
head -c 4096 /dev/urandom >> "$WORK/img.pgm"
python3 - "$WORK" <<'PY'
import struct, sys, os
w = sys.argv[1]
# 64x64 greyscale BMP for img2dcm (8-bit with palette)
W = H = 64
pal = b"".join(bytes((i, i, i, 0)) for i in range(256))
px = bytes(((x * 4 + y * 2) & 0xFF) for y in range(H) for x in range(W))
off = 14 + 40 + len(pal)
hdr = b"BM" + struct.pack("<IHHI", off + len(px), 0, 0, off)
dib = struct.pack("<IiiHHIIiiII", 40, W, H, 1, 8, 0, len(px), 2835, 2835, 256, 0)
open(os.path.join(w, "img.bmp"), "wb").write(hdr + dib + pal + px)
msg = ("MSH|^~\\&|ALARIS_PUMP|ICU4|HL7ENGINE|GOODHEALTH|20261123083000||ORU^R01^ORU_R01|MSG00001|P|2.6\r"
       "PID|1||PID778812^^^GOODHEALTH^MR||DOE^JANE^Q||19580314|F\r"
       "OBR|1|||PUMP^Infusion status\r"
       "OBX|1|NM|RATE^Infusion rate||42|mL/h|||||F|||20261123083000||^^^|PUMP-7781^BAXTER\r")
open(os.path.join(w, "oru.hl7"), "w").write("\x0b" + msg + "\x1c\x0d")
PY
img2dcm -i BMP "$WORK/img.bmp" "$WORK/ct1.dcm" -k "PatientName=DOE^JANE" -k "PatientID=PID778812" \
  -k "PatientBirthDate=19580314" -k "Modality=CT" -k "Manufacturer=GE MEDICAL SYSTEMS" \
  -k "ManufacturerModelName=Revolution CT" -k "StationName=CT01" -k "InstitutionName=GOOD HEALTH HOSPITAL"
img2dcm -i BMP "$WORK/img.bmp" "$WORK/ct2.dcm" -k "PatientName=ROE^RICHARD" -k "PatientID=PID445120" \
  -k "Modality=CT" -k "Manufacturer=GE MEDICAL SYSTEMS" -k "StationName=CT01"
mkdir -p "$WORK/www" "$WORK/store"
echo "<html><head><title>IntelliSpace PACS</title></head><body>login</body></html>" > "$WORK/www/index.html"

# Servers.
ip netns exec ms-pacs storescp -aet PACS -od "$WORK/store" 104 >/dev/null 2>&1 & PIDS+=($!)
ip netns exec ms-pacs python3 -m http.server 80 --bind 10.20.0.20 --directory "$WORK/www" >/dev/null 2>&1 & PIDS+=($!)
ip netns exec ms-eng python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.20.0.40", 2575)); s.listen(4)
while True:
    c, _ = s.accept(); buf = b""
    while not buf.endswith(b"\x1c\x0d"):
        d = c.recv(65536)
        if not d: break
        buf += d
    ctl = buf.split(b"\r")[0].split(b"|")[9] if buf.count(b"|") > 9 else b"0"
    ack = b"MSH|^~\\&|HL7ENGINE|GOODHEALTH|ALARIS_PUMP|ICU4|20261123083001||ACK^R01^ACK|A" + ctl + b"|P|2.6\rMSA|AA|" + ctl + b"\r"
    c.sendall(b"\x0b" + ack + b"\x1c\x0d"); c.close()
' >/dev/null 2>&1 & PIDS+=($!)
sleep 1.5

# Capture on the bridge, then the traffic.
ip netns exec $SW tcpdump -i br0 -s 0 -U -n -w "$WORK/cap.pcap" >/dev/null 2>&1 & TCPDUMP=$!
PIDS+=($TCPDUMP)
sleep 1.5
ip netns exec ms-ct ping -c 2 -i 0.2 10.20.0.20 >/dev/null
ip netns exec ms-ct echoscu -aet CT01 -aec PACS 10.20.0.20 104
ip netns exec ms-ct storescu -aet CT01 -aec PACS 10.20.0.20 104 "$WORK/ct1.dcm" "$WORK/ct2.dcm"
ip netns exec ms-pump mllp_send -q -p 2575 -f "$WORK/oru.hl7" 10.20.0.40
ip netns exec ms-ct curl -s -o /dev/null http://10.20.0.20/
ip netns exec ms-ct curl -s -o /dev/null http://10.20.0.20/missing
sleep 1
kill -INT $TCPDUMP
wait $TCPDUMP 2>/dev/null || true
cp "$WORK/cap.pcap" "$OUT"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
