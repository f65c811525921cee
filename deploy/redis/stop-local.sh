#!/usr/bin/env bash
# Stops the Redis server deploy/redis/start-local.sh started on REDIS_PORT_LOCAL
# (default 56379) and deletes its directory. Stopping one that is not running is fine.
set -euo pipefail

PORT="${REDIS_PORT_LOCAL:-56379}"
STATE_FILE="/tmp/referral-redis-${PORT}.dir"
[ -f "$STATE_FILE" ] || exit 0
DIR="$(cat "$STATE_FILE")"
if [ -f "$DIR/redis.pid" ]; then
    pid="$(cat "$DIR/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
fi
case "$DIR" in
    /tmp/referral-redis-*) rm -rf -- "$DIR" ;;
esac
rm -f -- "$STATE_FILE"
