#!/usr/bin/env bash
# Starts a throw-away local Redis server for tests (the SignalR backplane tests)
# and for trying SignalR:Redis by hand.
#
#   REDIS_PORT_LOCAL  TCP port to listen on (default 56379), bound to 127.0.0.1 only
#
# Installs Debian's redis-server first when it is missing and this runs as root
# (CI machines start without it). No persistence: nothing is written but a
# temporary directory, deleted by stop-local.sh.
#
# On success prints exactly one line on stdout, the StackExchange.Redis
# configuration string:   127.0.0.1:<port>
# Everything else (errors only) goes to stderr.
#
# Exit codes: 0 started, 3 the port is already in use, 1 any other failure.
# Stop it with: REDIS_PORT_LOCAL=<port> deploy/redis/stop-local.sh
set -euo pipefail

PORT="${REDIS_PORT_LOCAL:-56379}"
STATE_FILE="/tmp/referral-redis-${PORT}.dir"

die() { echo "start-local.sh: $*" >&2; exit "${EXIT_CODE:-1}"; }

case "$PORT" in
    ''|*[!0-9]*) die "REDIS_PORT_LOCAL must be a port number, got '$PORT'" ;;
esac

if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >/dev/null 2>&1 \
            || die "could not install redis-server with apt-get"
    fi
fi
command -v redis-server >/dev/null 2>&1 || die "redis-server not found on PATH (install Debian's redis-server)"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    EXIT_CODE=3 die "port $PORT on 127.0.0.1 is already in use; choose another one with REDIS_PORT_LOCAL=<port>"
fi

DIR="$(mktemp -d /tmp/referral-redis-XXXXXX)"
echo "$DIR" > "$STATE_FILE"
redis-server --port "$PORT" --bind 127.0.0.1 --protected-mode yes --daemonize yes \
    --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --save "" --appendonly no >/dev/null \
    || { rm -rf -- "$DIR" "$STATE_FILE"; die "redis-server did not start"; }

for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        echo "127.0.0.1:$PORT"
        exit 0
    fi
    sleep 0.1
done
die "redis-server did not listen on port $PORT within 5 s (see $DIR/redis.log)"
