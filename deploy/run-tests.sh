#!/usr/bin/env bash
# The test command of this repository:   bash deploy/run-tests.sh
#
# 0. makes sure the fonts for rendered PDF documents are installed (apt-get as root);
# 1. starts a throw-away PostgreSQL cluster (deploy/postgres/start-local.sh) and
#    exports REFERRAL_TEST_POSTGRES with its connection string; the cluster is
#    stopped and deleted on exit, whatever happens. If REFERRAL_TEST_POSTGRES is
#    already set, that server is used and nothing is started.
#    Likewise a throw-away Redis server (deploy/redis/start-local.sh, which
#    installs Debian's redis-server when it is missing) for the SignalR
#    backplane tests, exported as REFERRAL_TEST_REDIS unless already set.
# 2. runs `dotnet test Referral.sln -c Release`, writing .trx files to
#    artifacts/test-results (wiped first);
# 3. sums the .trx counters and prints, as the very last line:
#        tests: N passed, M failed
# 4. exits non-zero if dotnet test failed, any test failed, or no test passed.
#
# Env: PGPORT_LOCAL pins the PostgreSQL port (default: first free port from 55432);
#      REDIS_PORT_LOCAL the Redis port (default: first free port from 56379).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT="$(pwd -P)"
RESULTS="$ROOT/artifacts/test-results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

summary() {  # passed failed -> last line
    echo "tests: $1 passed, $2 failed"
}

# ---------------------------------------------------------------- fonts
# Rendered PDF documents (referral letter, discharge summary) use a CJK and a Latin
# TrueType font of the system, none is committed: Debian's fonts-droid-fallback and
# fonts-dejavu-core, where the node looks by default (or Documents__FontPath and
# Documents__LatinFontPath). Installed when missing and running as root (CI).
CJK_FONT="${Documents__FontPath:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}"
LATIN_FONT="${Documents__LatinFontPath:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}"
if { [ ! -f "$CJK_FONT" ] || [ ! -f "$LATIN_FONT" ]; } && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq fonts-droid-fallback fonts-dejavu-core >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-droid-fallback fonts-dejavu-core >/dev/null 2>&1; }
fi
if [ ! -f "$CJK_FONT" ] || [ ! -f "$LATIN_FONT" ]; then
    echo "run-tests.sh: no fonts for PDF documents ($CJK_FONT, $LATIN_FONT):" \
        "run 'apt-get install -y fonts-droid-fallback fonts-dejavu-core' as root" >&2
    summary 0 1
    exit 1
fi

# ---------------------------------------------------------------- PostgreSQL
PG_STARTED_PORT=""
stop_pg() {
    if [ -n "$PG_STARTED_PORT" ]; then
        PGPORT_LOCAL="$PG_STARTED_PORT" bash "$ROOT/deploy/postgres/stop-local.sh" \
            || echo "run-tests.sh: warning: could not stop PostgreSQL on port $PG_STARTED_PORT" >&2
        PG_STARTED_PORT=""
    fi
}
REDIS_STARTED_PORT=""
stop_redis() {
    if [ -n "$REDIS_STARTED_PORT" ]; then
        REDIS_PORT_LOCAL="$REDIS_STARTED_PORT" bash "$ROOT/deploy/redis/stop-local.sh" \
            || echo "run-tests.sh: warning: could not stop Redis on port $REDIS_STARTED_PORT" >&2
        REDIS_STARTED_PORT=""
    fi
}
stop_services() {
    stop_pg
    stop_redis
}
DOTNET_PID=""
descendants() {  # pids of all descendants of $1
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        descendants "$child"
        echo "$child"
    done
}
on_signal() {  # forward to dotnet test (if running), then exit; the EXIT trap stops PostgreSQL
    trap - INT TERM HUP
    if [ -n "$DOTNET_PID" ]; then
        # dotnet test -> vstest.console -> testhost: signal the whole tree we started.
        local pids
        pids="$(descendants "$DOTNET_PID") $DOTNET_PID"
        kill -s "$2" $pids 2>/dev/null
        wait "$DOTNET_PID" 2>/dev/null
    fi
    echo "run-tests.sh: interrupted ($2)" >&2
    summary 0 1
    exit "$1"
}
trap stop_services EXIT
trap 'on_signal 130 INT' INT
trap 'on_signal 143 TERM' TERM
trap 'on_signal 129 HUP' HUP

# start_on_free_port NAME SCRIPT PORTVAR FIRST LAST: runs SCRIPT with PORTVAR=<port>, on the port PORTVAR pins or
# else the first free one in FIRST..LAST (SCRIPT exits 3 when its port is busy), so concurrent runs on one machine
# each get their own server. Sets STARTED_PORT and STARTED_CONN (SCRIPT's output); stops the run when nothing started.
start_on_free_port() {
    local name="$1" script="$2" portvar="$3" pinned="${!3:-}" ports port rc err errfile
    if [ -n "$pinned" ]; then ports="$pinned"; else ports="$(seq "$4" "$5")"; fi
    STARTED_PORT=""
    STARTED_CONN=""
    errfile="$(mktemp)"
    for port in $ports; do
        STARTED_CONN="$(env "$portvar=$port" bash "$script" 2>"$errfile")"
        rc=$?
        if [ $rc -eq 0 ]; then
            STARTED_PORT="$port"
            break
        fi
        if [ $rc -ne 3 ] || [ -n "$pinned" ]; then break; fi   # 3 = port busy: try the next
    done
    err="$(cat "$errfile" 2>/dev/null)"; rm -f "$errfile"
    if [ -z "$STARTED_PORT" ]; then
        [ -n "$err" ] && echo "$err" >&2
        echo "run-tests.sh: could not start the local $name" >&2
        summary 0 1
        exit 1
    fi
}

if [ -n "${REFERRAL_TEST_POSTGRES:-}" ]; then
    echo "run-tests.sh: using existing PostgreSQL from REFERRAL_TEST_POSTGRES" >&2
else
    start_on_free_port "PostgreSQL cluster" "$ROOT/deploy/postgres/start-local.sh" PGPORT_LOCAL 55432 55531
    PG_STARTED_PORT="$STARTED_PORT"
    export REFERRAL_TEST_POSTGRES="$STARTED_CONN"
    echo "run-tests.sh: PostgreSQL test cluster: $REFERRAL_TEST_POSTGRES" >&2
fi

# ---------------------------------------------------------------- Redis
if [ -n "${REFERRAL_TEST_REDIS:-}" ]; then
    echo "run-tests.sh: using existing Redis from REFERRAL_TEST_REDIS" >&2
else
    start_on_free_port "Redis server" "$ROOT/deploy/redis/start-local.sh" REDIS_PORT_LOCAL 56379 56478
    REDIS_STARTED_PORT="$STARTED_PORT"
    export REFERRAL_TEST_REDIS="$STARTED_CONN"
    echo "run-tests.sh: Redis test server: $REFERRAL_TEST_REDIS" >&2
fi

# ---------------------------------------------------------------- dotnet test
rm -rf -- "$RESULTS"
mkdir -p -- "$RESULTS"

extra=()
if [ "${CI:-}" = "true" ]; then
    # No build servers / node reuse left behind on CI machines.
    export MSBUILDDISABLENODEREUSE=1
    extra+=(--disable-build-servers)
fi

dotnet test "$ROOT/Referral.sln" -c Release --nologo -v quiet "${extra[@]}" \
    --results-directory "$RESULTS" \
    --logger "trx;LogFilePrefix=referral" \
    --logger "console;verbosity=minimal" &
# Run in the background and wait, so that a signal is handled (and forwarded) at once.
DOTNET_PID=$!
wait "$DOTNET_PID"
test_rc=$?
DOTNET_PID=""

# Stop PostgreSQL and Redis now so nothing they print can follow the summary line.
stop_services

# ---------------------------------------------------------------- summary
counts="$(python3 - "$RESULTS" <<'PY' 2>/dev/null
import glob, os, sys
import xml.etree.ElementTree as ET
passed = failed = skipped = total = 0
files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True))
for path in files:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        failed += 1          # a truncated result file means the run broke
        continue
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "Counters":
            n = lambda k: int(el.get(k, "0") or 0)
            total += n("total")
            passed += n("passed")
            failed += n("failed") + n("error") + n("timeout") + n("aborted")
            # xunit skips show up only as total - executed; notExecuted is usually 0.
            skipped += max(n("total") - n("executed"),
                           n("notExecuted") + n("inconclusive") + n("notRunnable"))
            break
print(passed, failed, skipped, total, len(files))
PY
)"
if [ -z "$counts" ]; then
    # No python3 (or it failed): fall back to grep over the Counters elements.
    attr() { grep -ho "<Counters [^>]*" "$RESULTS"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' | awk '{s+=$1} END {print s+0}'; }
    counts="$(attr passed) $(( $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted) )) $(( $(attr total) - $(attr executed) )) $(attr total) $(ls "$RESULTS"/*.trx 2>/dev/null | wc -l)"
fi
read -r passed failed skipped total nfiles <<<"$counts"

if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # Build failure, crashed test host, ...: count it as one failure.
    echo "run-tests.sh: dotnet test exited with code $test_rc" >&2
    failed=1
fi
echo "run-tests.sh: $nfiles result file(s) in ${RESULTS#"$ROOT"/}; $total test(s), $skipped skipped or not run"
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "run-tests.sh: no test ran" >&2
fi

summary "$passed" "$failed"
if [ "$test_rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
