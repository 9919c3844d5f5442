#!/usr/bin/env bash
# Builds the Debian package of medsentry from this checkout with dpkg-deb:
# the binary, the event schema, the man page, the default settings
# (/etc/medsentry/medsentry.toml and /etc/default/medsentry, conffiles), the
# hardened unit medsentry-monitor@.service, and a postinst that creates the
# `medsentry` system user. Depends are the packages of the libraries the
# binary links (dpkg -S).
#
# Usage: scripts/build-deb.sh [--binary PATH] [OUTDIR]
#   --binary  an already built binary (default: builds the release variant)
#   OUTDIR    where the .deb goes (default build/deb)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="" OUT=build/deb
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$2; shift ;;
    -*) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
    *) OUT=$1 ;;
  esac
  shift
done
if [ -z "$BIN" ]; then
  scripts/build.sh release >/dev/null
  BIN=build/medsentry
fi
[ -x "$BIN" ] || { echo "build-deb.sh: $BIN: not an executable" >&2; exit 1; }
SCHEMA=$(dirname "$BIN")/schema/events.schema.json
[ -s "$SCHEMA" ] || { echo "build-deb.sh: $SCHEMA missing (build the binary first)" >&2; exit 1; }
VERSION=$(sed -n 's/^project(medsentry VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
ARCH=$(dpkg --print-architecture)

mkdir -p "$OUT"
ROOT=$(mktemp -d "$OUT/root.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
chmod 0755 "$ROOT"
install -D -m 0755 "$BIN" "$ROOT/usr/bin/medsentry"
strip --strip-unneeded "$ROOT/usr/bin/medsentry"
install -D -m 0644 "$SCHEMA" "$ROOT/usr/share/medsentry/events.schema.json"
install -D -m 0644 packaging/medsentry.toml "$ROOT/etc/medsentry/medsentry.toml"
install -D -m 0644 packaging/medsentry.default "$ROOT/etc/default/medsentry"
install -D -m 0644 "packaging/medsentry-monitor@.service" "$ROOT/lib/systemd/system/medsentry-monitor@.service"
install -D -m 0644 packaging/medsentry.1 "$ROOT/usr/share/man/man1/medsentry.1"
gzip -9n "$ROOT/usr/share/man/man1/medsentry.1"
install -D -m 0644 README.md "$ROOT/usr/share/doc/medsentry/README.md"
for f in docs/*.md; do install -m 0644 "$f" "$ROOT/usr/share/doc/medsentry/"; done

# The packages that hold the shared libraries the binary names (NEEDED; the
# libraries those need are their packages' own dependencies).
needed=$(objdump -p "$BIN" | awk '/NEEDED/ {print $2}')
deps=$(for so in $needed; do
  lib=$(ldd "$BIN" | awk -v so="$so" '$1 == so {print $3}')
  [ -n "$lib" ] || continue
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
[ -n "$deps" ] || { echo "build-deb.sh: cannot find the packages of the binary's libraries" >&2; exit 1; }

mkdir -p "$ROOT/DEBIAN"
cat > "$ROOT/DEBIAN/control" <<EOF
Package: medsentry
Version: $VERSION
Architecture: $ARCH
Maintainer: medsentry developers <medsentry@localhost>
Section: net
Priority: optional
Depends: adduser, $deps
Recommends: zstd
Description: passive network sensor for hospitals
 Reads a SPAN port, a TAP or capture files and builds a medical-device
 inventory with evidence, and raises medjacking alerts with response steps.
 It never transmits. medsentry-monitor@IFACE.service runs it on a mirror port.
EOF
printf '/etc/medsentry/medsentry.toml\n/etc/default/medsentry\n' > "$ROOT/DEBIAN/conffiles"
cat > "$ROOT/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd medsentry >/dev/null; then
    adduser --system --group --home /var/lib/medsentry --no-create-home --quiet medsentry
  fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
exit 0
EOF
cat > "$ROOT/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
EOF
chmod 0755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/postrm"
DEB="$OUT/medsentry_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
