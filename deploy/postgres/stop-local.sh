#!/usr/bin/env bash
# Stops the throw-away cluster started by start-local.sh on PGPORT_LOCAL
# (default 55432) and deletes its data directory. Prints nothing but errors.
# Stopping a cluster that is not running is not an error.
set -euo pipefail

PORT="${PGPORT_LOCAL:-55432}"
STATE_FILE="/tmp/referral-pg-${PORT}.dir"

if [ ! -f "$STATE_FILE" ]; then
    exit 0   # nothing was started on this port by start-local.sh
fi
DIR="$(cat "$STATE_FILE")"
if [ -z "$DIR" ] || [ "$DIR" = "/" ]; then
    echo "stop-local.sh: state file $STATE_FILE is invalid" >&2
    rm -f -- "$STATE_FILE"
    exit 1
fi

if ! command -v pg_ctl >/dev/null 2>&1; then
    for candidate in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if [ -x "$candidate/pg_ctl" ]; then PATH="$candidate:$PATH"; break; fi
    done
fi
PG_CTL="$(command -v pg_ctl 2>/dev/null)" || { echo "stop-local.sh: pg_ctl not found" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

cd /
rc=0
if [ -f "$DIR/postmaster.pid" ]; then
    if ! out="$(as_pg "$PG_CTL" -D "$DIR" -m fast -w -t 60 stop 2>&1)"; then
        # Not stopping is only an error if it is still running.
        if as_pg "$PG_CTL" -D "$DIR" status >/dev/null 2>&1; then
            echo "$out" >&2
            as_pg "$PG_CTL" -D "$DIR" -m immediate -w stop >/dev/null 2>&1 || {
                echo "stop-local.sh: could not stop PostgreSQL in $DIR" >&2
                exit 1
            }
        fi
    fi
fi

# Only remove something that looks like a PostgreSQL data directory.
if [ -d "$DIR" ]; then
    if [ -f "$DIR/PG_VERSION" ] || [ -z "$(ls -A "$DIR")" ]; then
        rm -rf -- "$DIR" || rc=1
    else
        echo "stop-local.sh: $DIR does not look like a PostgreSQL data directory; not deleting it" >&2
        rc=1
    fi
fi
rm -f -- "$STATE_FILE"
exit $rc
