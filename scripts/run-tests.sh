#!/usr/bin/env bash
# Runs the test suite with a private folder for its PostgreSQL cluster, and afterwards stops any
# cluster still running there and deletes the folder, even when the test process crashed.
set -uo pipefail

root=$(mktemp -d /tmp/rapport-test.XXXXXX)
chmod 755 "$root"
export RAPPORT_TEST_ROOT="$root"

cleanup() {
    # The HA tests' etcd, Patroni and HAProxy (their command lines name a file under the root), when
    # the test process died before it could stop them.
    for pid in $(pgrep -f -- "$root/" 2>/dev/null); do
        case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
            etcd | patroni | python3 | haproxy) kill "$pid" 2>/dev/null ;;
        esac
    done
    # Clusters of the suites (pg/) and of the HA tests' Patroni nodes (<test>/<node>/data).
    for pid_file in "$root"/*/data/postmaster.pid "$root"/*/*/data/postmaster.pid; do
        [ -f "$pid_file" ] || continue
        data=$(dirname "$pid_file")
        # A standby whose replay a test paused (SIGSTOP) must run again to shut down.
        pkill -CONT -P "$(head -n 1 "$pid_file")" 2>/dev/null
        bindir=${RAPPORT_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
        if [ "$(id -u)" -eq 0 ]; then
            runuser -u postgres -- "$bindir/pg_ctl" stop -D "$data" -m immediate >/dev/null 2>&1
        else
            "$bindir/pg_ctl" stop -D "$data" -m immediate >/dev/null 2>&1
        fi
    done
    rm -rf "$root"
}
trap cleanup EXIT

swift test --disable-build-manifest-caching "$@"
