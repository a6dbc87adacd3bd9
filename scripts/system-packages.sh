#!/bin/sh
# Debian packages the app needs beyond Python: WeasyPrint's Pango (PDF documents), HarfBuzz's
# subsetter (fast font subsetting in PDFs); for tests, poppler-utils (pdftoppm renders PDF
# pages to read their QR codes); for benchmarks, wrk (the HTTP load generator of
# benchmarks/load.py). Installs only what is missing; needs root (or sudo) and apt.
#   scripts/system-packages.sh run     what `make run` needs
#   scripts/system-packages.sh test    what `make test` needs too
#   scripts/system-packages.sh bench   what `make bench` needs too
set -e
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
if [ "$1" = "test" ]; then
    packages="$packages poppler-utils"
fi
if [ "$1" = "bench" ]; then
    packages="$packages wrk"
fi
missing=""
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing system packages:$missing (install Pango, HarfBuzz, poppler-utils and wrk with your package manager)" >&2
    exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
echo "Installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
