#!/usr/bin/env bash
# Stop the private PostgreSQL cluster under var/ (or GLASWAENDE_CLUSTER_DIR), if it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${GLASWAENDE_CLUSTER_DIR:-var}/pgdata
[[ -f $data/PG_VERSION ]] || exit 0
# The cluster's own version (its PG_VERSION); without its programs there is nothing to stop with.
source scripts/postgres-bin.sh
bindir=$(pg_bindir --without-postgis) || exit 0
if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$bindir/pg_ctl" -D "$data" stop -m fast || true
else "$bindir/pg_ctl" -D "$data" stop -m fast || true; fi
