#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into an EMPTY database, then re-creates the grants
# of the rapport_app / rapport_reporting roles and refreshes the planner statistics.
#
#   deploy/restore.sh [--database-url URL] [--jobs N] BACKUP.dump
#
#   --database-url  the target (RAPPORT_DATABASE_URL; else libpq's PGHOST, PGDATABASE, PGUSER, ...)
#   --jobs N        restore with N parallel jobs (faster for big databases; not one transaction)
#
# Create the target first, owned by the role that will own the schema (it runs the migrations):
#   createdb -O rapport rapport_restored
# Objects are restored owned by the connecting role (--no-owner) and without the dump's grants
# (--no-acl), so the target may be another cluster with other role names; rapport_grant_roles()
# then grants the two group roles (creating them if they are missing and the role may). Without
# --jobs everything happens in one transaction: a failed restore leaves the database empty.
# Afterwards point rapportd at it; `rapportd migrate` must report the schema current.
set -euo pipefail

url=${RAPPORT_DATABASE_URL:-}
jobs=""
file=""

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --database-url) url=${2:?--database-url needs a value}; shift 2 ;;
        --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "restore.sh: unknown option $1" >&2; usage ;;
        *) [ -z "$file" ] || usage; file=$1; shift ;;
    esac
done
[ -n "$file" ] || usage
case $jobs in *[!0-9]*) echo "restore.sh: --jobs must be a whole number" >&2; exit 2 ;; esac
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 1; }

connection=()
if [ -n "$url" ]; then connection=(--dbname "$url"); fi
psql_() { psql "${connection[@]}" --no-psqlrc --no-password --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 "$@"; }

# The archive must be readable as a whole before anything is touched.
pg_restore --list "$file" >/dev/null

existing=$(psql_ -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')")
if [ "$existing" != "0" ]; then
    target=$(psql_ -c "SELECT current_database()")
    echo "restore.sh: database $target is not empty ($existing relations in schema public); restore into a new one (createdb)" >&2
    exit 1
fi

options=(--no-owner --no-acl --exit-on-error --no-password)
if [ -n "$jobs" ] && [ "$jobs" -gt 1 ]; then
    options+=(--jobs "$jobs")
else
    options+=(--single-transaction)
fi
if [ -n "$url" ]; then options+=(--dbname "$url"); else options+=(--dbname "${PGDATABASE:-${PGUSER:-$(id -un)}}"); fi

started=$(date +%s)
pg_restore "${options[@]}" "$file"

# Grants (roles are per cluster and --no-acl skipped them); missing before migration 0009.
if [ "$(psql_ -c "SELECT to_regprocedure('rapport_grant_roles()') IS NOT NULL")" = "t" ]; then
    psql_ -c "SELECT rapport_grant_roles()" >/dev/null
fi
# pg_restore does not carry planner statistics over.
psql_ -c "ANALYZE" >/dev/null

summary=$(psql_ -F ' ' -c "SELECT (SELECT max(version) FROM rapport_schema_migrations),
                                  (SELECT count(*) FROM interaction_log_entries),
                                  (SELECT coalesce(max(entry_no), 0) FROM interaction_log_entries)")
read -r version entries last_entry <<<"$summary"
echo "restore.sh: restored $file in $(( $(date +%s) - started )) s: schema version $version, $entries interaction log entries (last entry no. $last_entry)" >&2
