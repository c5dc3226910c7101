#!/usr/bin/env bash
# Make sure a PostGIS database is reachable and print its URL (the only line on stdout).
# - GLASWAENDE_DATABASE_URL or DATABASE_URL set: that database is used as it is.
# - otherwise: a private PostgreSQL cluster under var/ (data var/pgdata, socket var/pgrun,
#   log var/postgresql.log), started with pg_ctl on a free port from 5433 up (the port it had
#   before, if that is free, so its URL stays the same across restarts), superuser
#   `glaswaende`, trust authentication on 127.0.0.1 only; database `glaswaende`.
#   GLASWAENDE_CLUSTER_DIR puts the cluster elsewhere (the fault test starts its own).
set -euo pipefail
cd "$(dirname "$0")/.."

url="${GLASWAENDE_DATABASE_URL:-${DATABASE_URL:-}}"
if [[ -n "$url" ]]; then
  echo "$url"; exit 0
fi

bash scripts/ensure-system-packages.sh

# An existing cluster's own version (its PG_VERSION), else the newest PostgreSQL with PostGIS.
source scripts/postgres-bin.sh
bindir=$(pg_bindir) || exit 1

root=${GLASWAENDE_CLUSTER_DIR:-$(pwd)/var}
data=$root/pgdata
run=$root/pgrun
mkdir -p "$root" "$run"

# PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` system user.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$run"
  # The postgres user must be able to reach var/ through the checkout's parent folders.
  d="$root"; while [[ "$d" != "/" ]]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
  mkdir -p "$data"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$data"
  as_owner "$bindir/initdb" -D "$data" -U glaswaende --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
fi

port_file=$root/pgport
if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }
  port=$(cat "$port_file" 2>/dev/null || echo 5433)
  if ! port_free "$port"; then
    port=5433
    while ! port_free "$port"; do port=$((port + 1)); done
  fi
  echo "$port" > "$port_file"
  touch "$root/postgresql.log"; [[ $(id -u) -eq 0 ]] && chown postgres: "$root/postgresql.log"
  as_owner "$bindir/pg_ctl" -D "$data" -l "$root/postgresql.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$run -c fsync=on" start >&2
fi
port=$(cat "$port_file")

if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U glaswaende -d postgres -tAc \
     "SELECT 1 FROM pg_database WHERE datname = 'glaswaende'" | grep -q 1; then
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U glaswaende glaswaende
fi
echo "postgresql://glaswaende@127.0.0.1:$port/glaswaende"
