#!/usr/bin/env bash
# Stop the private PostgreSQL cluster under var/ (if it runs).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f var/pgdata/PG_VERSION ]] || exit 0
bindir=/usr/lib/postgresql/$(cat var/pgdata/PG_VERSION)/bin
if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$bindir/pg_ctl" -D var/pgdata stop -m fast || true
else "$bindir/pg_ctl" -D var/pgdata stop -m fast || true; fi
