# The one place that decides which PostgreSQL's programs the project uses (sourced, not run:
# `source scripts/postgres-bin.sh`). Debian keeps each major version in /usr/lib/postgresql/<v>/bin
# and its extensions in /usr/share/postgresql/<v>/extension.
#
# pg_bindir [--without-postgis] [PROGRAM]   (PROGRAM defaults to pg_ctl)
#   prints the bin directory to use, the only line on stdout:
#   - the private cluster ${GLASWAENDE_CLUSTER_DIR:-var}/pgdata exists (it has PG_VERSION): that
#     version's, and only that: a newer server does not start an older cluster. Missing PROGRAM (or
#     that version's PostGIS) is an error, explained in German on stderr;
#   - otherwise the newest installed version that has PROGRAM and (unless --without-postgis) PostGIS.
#   Returns 1, with a German message on stderr, when there is none.
# pg_cluster_version
#   prints the private cluster's PG_VERSION, or nothing when there is no cluster yet.

_pg_project_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The cluster's data directory; a relative GLASWAENDE_CLUSTER_DIR counts from the project folder,
# where scripts/ensure-postgis.sh and scripts/stop-postgis.sh run.
pg_cluster_data() {
  local root=${GLASWAENDE_CLUSTER_DIR:-var}
  [[ $root == /* ]] || root=$_pg_project_dir/$root
  echo "$root/pgdata"
}

pg_cluster_version() {
  local data
  data=$(pg_cluster_data)
  if [[ -f $data/PG_VERSION ]]; then
    cat "$data/PG_VERSION"
  fi
}

pg_bindir() {
  local postgis=1 program=pg_ctl v data
  if [[ ${1:-} == --without-postgis ]]; then postgis=0; shift; fi
  [[ -n ${1:-} ]] && program=$1

  v=$(pg_cluster_version)
  if [[ -n $v ]]; then
    data=$(pg_cluster_data)
    if [[ ! -x /usr/lib/postgresql/$v/bin/$program ]]; then
      local remove="make clean-database (löscht alle lokalen Daten)"
      [[ -n ${GLASWAENDE_CLUSTER_DIR:-} ]] && remove="${data%/pgdata} löschen (löscht alle Daten dieses Clusters)"
      echo "Der PostgreSQL-Cluster in $data gehört zu PostgreSQL $v, dessen Programme fehlen" \
           "(/usr/lib/postgresql/$v/bin/$program); ein anderes PostgreSQL startet diesen Cluster nicht." >&2
      echo "Bitte PostgreSQL $v installieren (Debian: postgresql-$v postgresql-$v-postgis-3)," \
           "den Cluster mit pg_upgrade umstellen oder $remove." >&2
      return 1
    fi
    if (( postgis )) && [[ ! -f /usr/share/postgresql/$v/extension/postgis.control ]]; then
      echo "Der PostgreSQL-Cluster in $data gehört zu PostgreSQL $v, für das PostGIS fehlt" \
           "(/usr/share/postgresql/$v/extension/postgis.control): bitte postgresql-$v-postgis-3 installieren." >&2
      return 1
    fi
    echo "/usr/lib/postgresql/$v/bin"; return 0
  fi

  for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -rn); do
    if [[ -x /usr/lib/postgresql/$v/bin/$program ]] \
       && { (( ! postgis )) || [[ -f /usr/share/postgresql/$v/extension/postgis.control ]]; }; then
      echo "/usr/lib/postgresql/$v/bin"; return 0
    fi
  done
  if (( postgis )); then
    echo "PostgreSQL mit PostGIS wurde nicht gefunden." >&2
  elif [[ $program == psql ]]; then
    echo "psql wurde nicht gefunden (Debian: apt-get install postgresql-client)." >&2
  else
    echo "$program wurde nicht gefunden (Debian: apt-get install postgresql)." >&2
  fi
  return 1
}
