#!/usr/bin/env bash
# Starts a throw-away local PostgreSQL 15 cluster for tests and for trying the
# PostgreSQL storage provider.
#
#   PGPORT_LOCAL  TCP port to listen on (default 55432), bound to 127.0.0.1 only
#   PGDATA_LOCAL  data directory (default: a new directory from mktemp); it must
#                 not exist yet or be empty. It is DELETED by stop-local.sh.
#
# On success prints exactly one line on stdout, the Npgsql connection string:
#   Host=127.0.0.1;Port=<port>;Username=postgres
# Everything else (errors only) goes to stderr. Authentication is "trust":
# never expose this cluster beyond localhost.
#
# Exit codes: 0 started, 3 the port is already in use, 1 any other failure.
# Stop it with: PGPORT_LOCAL=<port> deploy/postgres/stop-local.sh
set -euo pipefail

PORT="${PGPORT_LOCAL:-55432}"
STATE_FILE="/tmp/referral-pg-${PORT}.dir"

die() { echo "start-local.sh: $*" >&2; exit "${EXIT_CODE:-1}"; }

case "$PORT" in
    ''|*[!0-9]*) die "PGPORT_LOCAL must be a port number, got '$PORT'" ;;
esac

# --- locate the PostgreSQL server binaries -----------------------------------
if ! command -v initdb >/dev/null 2>&1 || ! command -v pg_ctl >/dev/null 2>&1; then
    for candidate in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
            PATH="$candidate:$PATH"
            break
        fi
    done
fi
INITDB="$(command -v initdb 2>/dev/null)" || die "initdb not found on PATH nor under /usr/lib/postgresql/*/bin (install PostgreSQL 15 server)"
PG_CTL="$(command -v pg_ctl 2>/dev/null)" || die "pg_ctl not found on PATH nor under /usr/lib/postgresql/*/bin"
# pg_ctl looks for 'postgres' next to itself or on PATH; make its directory visible.
PATH="$(dirname "$(readlink -f "$PG_CTL")"):$PATH"
export PATH

# --- refuse to start on a busy port ------------------------------------------
port_in_use() {
    # Any TCP listener on the port (PostgreSQL or not)?
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    return 1
}
if port_in_use; then
    EXIT_CODE=3 die "port $PORT on 127.0.0.1 is already in use (another server is running there?$( [ -f "$STATE_FILE" ] && echo " see $STATE_FILE")); choose another one with PGPORT_LOCAL=<port>"
fi
if [ -f "$STATE_FILE" ]; then
    # Stale state from a cluster that is no longer running: clean it up.
    old_dir="$(cat "$STATE_FILE" 2>/dev/null || true)"
    if [ -n "$old_dir" ] && [ -f "$old_dir/PG_VERSION" ] && [ ! -f "$old_dir/postmaster.pid" ]; then
        rm -rf -- "$old_dir"
    fi
    rm -f -- "$STATE_FILE"
fi

# --- decide who runs the server ----------------------------------------------
# initdb/postgres refuse to run as root: as root, run them as 'postgres'.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
    command -v runuser >/dev/null 2>&1 || die "running as root but 'runuser' is not available"
    as_pg() { runuser -u postgres -- "$@"; }
    PG_USER=postgres
else
    as_pg() { "$@"; }
    PG_USER="$(id -un)"
fi

# --- data directory ----------------------------------------------------------
CREATED_DIR=""
if [ -n "${PGDATA_LOCAL:-}" ]; then
    DIR="$PGDATA_LOCAL"
    if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
        die "PGDATA_LOCAL=$DIR exists and is not empty"
    fi
    mkdir -p -- "$DIR" || die "cannot create $DIR"
    CREATED_DIR="$DIR"
else
    DIR="$(mktemp -d /tmp/referral-pg-XXXXXX)" || die "mktemp failed"
    CREATED_DIR="$DIR"
fi
DIR="$(cd "$DIR" && pwd -P)"
if [ "$(id -u)" -eq 0 ]; then
    chown "$PG_USER": "$DIR"
fi
chmod 700 "$DIR"

fail_cleanup() {
    # Show what the server said, then remove the half-made cluster.
    if [ -s "$DIR/log" ]; then
        echo "---- $DIR/log ----" >&2
        tail -n 30 "$DIR/log" >&2 || true
    fi
    [ -f "$DIR/postmaster.pid" ] && as_pg "$PG_CTL" -D "$DIR" -m immediate stop >/dev/null 2>&1 || true
    [ -n "$CREATED_DIR" ] && rm -rf -- "$CREATED_DIR"
    rm -f -- "$STATE_FILE"
}

# Run from a directory the postgres user can read (root's cwd may be private).
cd /

# initdb writes its own files into an empty DIR; keep its output for errors only.
init_out="$(as_pg "$INITDB" -D "$DIR" -A trust -U postgres -E UTF8 --locale=C -N 2>&1)" || {
    echo "$init_out" >&2
    fail_cleanup
    die "initdb failed for $DIR"
}

# The data directory itself hosts the Unix socket (short path, no /var/run needed).
# fsync is off: this cluster is disposable and tests should be fast. One test process hosts many nodes, each
# with its own connection pool, so it allows more connections than the default 100.
if ! as_pg "$PG_CTL" -D "$DIR" \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        -l "$DIR/log" -w -t 60 start >/dev/null 2>&1; then
    fail_cleanup
    if port_in_use; then EXIT_CODE=3; fi
    die "pg_ctl could not start PostgreSQL on port $PORT (data dir $DIR)"
fi

echo "$DIR" > "$STATE_FILE"
echo "Host=127.0.0.1;Port=${PORT};Username=postgres"
