#!/usr/bin/env bash
# Make sure database NAME exists on the server scripts/ensure-postgis.sh provides (the private
# cluster under var/, or GLASWAENDE_DATABASE_URL's server) and print its URL, the only line on
# stdout: the same server, user and options, another database. `make demo` keeps its demo data in
# glaswaende_demo this way, apart from `make run`'s database.
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:-}
if [[ ! $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
  echo "Aufruf: scripts/ensure-database.sh NAME (Kleinbuchstaben, Ziffern, _)" >&2; exit 2
fi

url=$(bash scripts/ensure-postgis.sh)
base=${url%%\?*}          # without ?options
options=${url#"$base"}    # ?options, or nothing
server=${base%/*}         # without /database
# psql speaks libpq URLs; SQLAlchemy's "postgresql+psycopg://" is the same server.
libpq_url() { echo "$1" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#'; }

# psql on PATH, else the private cluster's own version's (or the newest installed).
source scripts/postgres-bin.sh
if ! psql=$(command -v psql); then
  psql=$(pg_bindir --without-postgis psql)/psql || exit 1
fi

# Asked through the database ensure-postgis.sh vouches for: it exists, and we may connect to it.
if ! "$psql" "$(libpq_url "$url")" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
  "$psql" "$(libpq_url "$url")" -qc "CREATE DATABASE $name" >&2
fi
echo "$server/$name$options"
