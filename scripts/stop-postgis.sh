#!/usr/bin/env bash
# Stop the private PostgreSQL cluster under var/ (or GLASWAENDE_CLUSTER_DIR), if it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${GLASWAENDE_CLUSTER_DIR:-var}/pgdata
[[ -f $data/PG_VERSION ]] || exit 0
bindir=/usr/lib/postgresql/$(cat "$data/PG_VERSION")/bin
if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$bindir/pg_ctl" -D "$data" stop -m fast || true
else "$bindir/pg_ctl" -D "$data" stop -m fast || true; fi
