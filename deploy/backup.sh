#!/usr/bin/env bash
# Backs up the Rapport database with pg_dump (custom format: compressed, restorable table by
# table and in parallel with pg_restore), then applies the retention policy.
#
#   deploy/backup.sh [--dir DIR] [--keep N] [--max-age-days DAYS] [--database-url URL] [--prefix NAME]
#
# Every option has an environment variable (the option wins):
#   --dir           RAPPORT_BACKUP_DIR            /var/backups/rapport
#   --keep          RAPPORT_BACKUP_KEEP           14   newest backups kept (0 = no count limit)
#   --max-age-days  RAPPORT_BACKUP_MAX_AGE_DAYS   ""   also delete backups older than this (unset = never)
#   --database-url  RAPPORT_DATABASE_URL          ""   else libpq's PGHOST, PGDATABASE, PGUSER, ...
#   --prefix        RAPPORT_BACKUP_PREFIX         rapport
#
# The dump is one consistent snapshot taken when pg_dump starts (every transaction committed
# before then is in it, none committed later); rapportd keeps serving meanwhile. The file is
# written under a temporary name, checked with pg_restore --list, then renamed, so a backup that
# exists is complete. Prints the path of the new backup. Exit status: 0 ok, 1 failure, 2 usage,
# 75 another backup of the same directory is running.
set -euo pipefail

dir=${RAPPORT_BACKUP_DIR:-/var/backups/rapport}
keep=${RAPPORT_BACKUP_KEEP:-14}
max_age=${RAPPORT_BACKUP_MAX_AGE_DAYS:-}
url=${RAPPORT_DATABASE_URL:-}
prefix=${RAPPORT_BACKUP_PREFIX:-rapport}

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --dir) dir=${2:?--dir needs a value}; shift 2 ;;
        --keep) keep=${2:?--keep needs a value}; shift 2 ;;
        --max-age-days) max_age=${2:?--max-age-days needs a value}; shift 2 ;;
        --database-url) url=${2:?--database-url needs a value}; shift 2 ;;
        --prefix) prefix=${2:?--prefix needs a value}; shift 2 ;;
        -h|--help) usage ;;
        *) echo "backup.sh: unknown argument $1" >&2; usage ;;
    esac
done

case $keep in ''|*[!0-9]*) echo "backup.sh: --keep must be a whole number, not '$keep'" >&2; exit 2 ;; esac
case $max_age in *[!0-9]*) echo "backup.sh: --max-age-days must be a whole number, not '$max_age'" >&2; exit 2 ;; esac
case $prefix in ''|*/*|*' '*) echo "backup.sh: --prefix must be a plain name" >&2; exit 2 ;; esac

connection=()
if [ -n "$url" ]; then connection=(--dbname "$url"); fi

umask 077
mkdir -p "$dir"

# One backup at a time per directory.
exec 9>"$dir/.$prefix-backup.lock"
if ! flock -n 9; then
    echo "backup.sh: another backup into $dir is running" >&2
    exit 75
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$dir/$prefix-$stamp.dump"
n=1
while [ -e "$target" ]; do target="$dir/$prefix-$stamp-$n.dump"; n=$((n + 1)); done
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

started=$(date +%s)
pg_dump "${connection[@]}" --format=custom --no-password --file="$partial"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
trap - EXIT
echo "backup.sh: wrote $target ($(du -h "$target" | cut -f1), $(( $(date +%s) - started )) s)" >&2

# Retention: only files this script names ($prefix-YYYYMMDDTHHMMSSZ[-n].dump), never the new one.
mapfile -t backups < <(find "$dir" -maxdepth 1 -type f -name "$prefix-????????T??????Z*.dump" -printf '%f\n' | sort -r)
index=0
for name in "${backups[@]}"; do
    index=$((index + 1))
    path="$dir/$name"
    [ "$path" = "$target" ] && continue
    if [ "$keep" -gt 0 ] && [ "$index" -gt "$keep" ]; then
        rm -f -- "$path"
        echo "backup.sh: removed $path (keeping the newest $keep)" >&2
    elif [ -n "$max_age" ] && [ -n "$(find "$path" -maxdepth 0 -mtime +"$max_age")" ]; then
        rm -f -- "$path"
        echo "backup.sh: removed $path (older than $max_age days)" >&2
    fi
done

echo "$target"
