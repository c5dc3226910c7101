#!/usr/bin/env bash
# Make sure the system programs the project needs are installed: Node.js/npm, PostgreSQL with
# PostGIS, Pango and fonts for the PDF report, and (with --browser) Chromium, nginx, GDAL, QGIS and
# poppler's pdftoppm for the browser, front, export and print tests. Installs Debian's packages
# where apt-get can run (as root, or through password-less sudo); otherwise says exactly what to
# install.
set -euo pipefail

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

missing=()
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Debian's python3 needs python3-venv for `python3 -m venv`.
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)

# The PostgreSQL the project would use: an existing private cluster's own version (its
# PG_VERSION), else the newest one whose PostGIS extension is installed.
source "$(dirname "${BASH_SOURCE[0]}")/postgres-bin.sh"

if ! pg_bindir >/dev/null 2>&1; then
  installed_pg=$(ls /usr/lib/postgresql 2>/dev/null | sort -rn | head -1 || true)
  cluster_pg=$(pg_cluster_version)
  if [[ -n "$cluster_pg" ]]; then
    # The existing cluster runs only on its own version.
    [[ -x /usr/lib/postgresql/$cluster_pg/bin/pg_ctl ]] || missing+=("postgresql-$cluster_pg")
    [[ -f /usr/share/postgresql/$cluster_pg/extension/postgis.control ]] || missing+=("postgresql-$cluster_pg-postgis-3")
  elif [[ -n "$installed_pg" ]]; then
    missing+=("postgresql-$installed_pg-postgis-3")
  else
    missing+=(postgresql postgis)
  fi
fi

if (( want_browser )) && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
# The export tests read every GeoPackage back with Debian's ogrinfo (GDAL 3.6, under QGIS 3.28 LTR)
# and open it in Debian's QGIS (python3-qgis), as planners will.
if (( want_browser )) && ! command -v ogrinfo >/dev/null 2>&1; then
  missing+=(gdal-bin)
fi
if (( want_browser )) && ! /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1; then
  missing+=(python3-qgis qgis-providers)
fi
# The poster and questionnaire tests render their PDFs to images (pdftoppm) to decode the QR code.
if (( want_browser )) && ! command -v pdftoppm >/dev/null 2>&1; then
  missing+=(poppler-utils)
fi
# The front's test runs Debian's nginx (the proxy compose starts, tests/test_front.py).
if (( want_browser )) && ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  missing+=(nginx-light)
fi
# The planners' PDF report (WeasyPrint) lays its text out with Pango, in DejaVu; the same fonts
# show German text properly in pages and screenshots.
# (grep without -q reads the whole list: with -q it stops at the first match, the writer gets
# SIGPIPE, and under pipefail the library counted as missing, so apt-get ran on every call.)
if ! ldconfig -p 2>/dev/null | grep "libpango-1.0.so.0" >/dev/null; then
  missing+=(libpango-1.0-0)
fi
if ! ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null; then
  missing+=(libpangoft2-1.0-0)
fi
if ! fc-list 2>/dev/null | grep -i dejavu >/dev/null; then
  missing+=(fonts-dejavu-core fontconfig)
fi

if (( ${#missing[@]} == 0 )); then
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Bitte installieren Sie diese Debian-Pakete und starten Sie dann erneut:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Es fehlen: ${missing[*]} (kein apt-get gefunden; bitte mit dem Paketmanager Ihres Systems installieren)." >&2
  exit 1
fi

echo "Installiere Systempakete: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# Debian's postgresql package starts a cluster of its own; the project does not use it.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
