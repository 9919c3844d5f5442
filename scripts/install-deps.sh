#!/usr/bin/env bash
# Installs what medsentry needs to build and test on Debian 12, from Debian's
# packages only. Safe to run again: installs only what is missing.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config          # build
  libpcap-dev libsqlite3-dev libssl-dev libtomlplusplus-dev zlib1g-dev libgoogle-perftools-dev  # libraries
  libgtest-dev googletest clang libclang-rt-dev                 # tests, sanitizers, libFuzzer
  tshark wireshark-common python3 python3-jsonschema python3-yaml xxd        # differential tests (tshark, editcap, mergecap), fuzz seeds
  tcpdump tcpreplay zstd iproute2 ethtool iputils-ping time    # lab plumbing, live monitor test, bench
  dcmtk python3-pydicom python3-hl7 curl dnsmasq isc-dhcp-client  # lab: the real peers
  snmpd snmp python3-pyftpdlib openssl nmap dnsutils ieee-data samba smbclient openssh-server openssh-client lldpd
  nftables iptables python3-capirca                            # segmentation exports checked by the real tools
  libcpp-httplib-dev chromium chromium-driver python3-selenium  # the web console and its browser tests
  weasyprint poppler-utils                                     # the HIPAA report as PDF (report, console) and its tests
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
