#!/usr/bin/env bash
# Refresh-token rotation on PostgreSQL: 32 concurrent clients (wrk connections), rotating 32
# token chains (each answer's refresh token is the next request of its chain), against the demo
# on Grizzly. Prints
# rotations per second, median and p99 latency, and failed rotations (target: at least 1,000
# rotations/s, none failed or double-spent).
#
# Usage: bench/load/refresh-pg.sh
# Environment: CLIENTS (32), THREADS (2 wrk threads), DURATION (15s), WARMUP (5s), PGHOST (127.0.0.1), PGPORT (5432),
#              PGUSER (postgres), JAVA_OPTS, MVN_ARGS, SKIP_BUILD=1.
# Uses a database of its own (created and dropped here, with psql) on the given server; never
# touches others. wrk from Debian's packages. Loopback only.
source "$(dirname "$0")/common.sh"
need_tools
command -v psql >/dev/null 2>&1 || { echo "psql is needed (apt-get install postgresql-client)" >&2; exit 2; }
build_demo
CLIENTS=${CLIENTS:-32}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
here=$(cd "$(dirname "$0")" && pwd)
db="gh_load_refresh_$$"
tokens=$(mktemp)

cleanup() {
    stop_demo
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    rm -f "$tokens"
}
trap cleanup EXIT
psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null

GATEHOUSE_JDBC_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" GATEHOUSE_JDBC_USER=$PGUSER GATEHOUSE_BCRYPT_COST=10 \
    GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE=100000 start_demo grizzly

# wrk opens CLIENTS / THREADS connections on each of its THREADS threads (2, like the other
# scripts: 32 wrk threads would take cores from the server they measure). Each thread keeps a
# pool of unspent tokens, one chain per connection plus one spare: wrk calls the request function
# once before the run to check the script, which takes a token that is never sent.
(( CLIENTS % THREADS == 0 )) || { echo "CLIENTS ($CLIENTS) must be a multiple of THREADS ($THREADS)" >&2; exit 2; }
export REFRESH_CHAINS_PER_THREAD=$((CLIENTS / THREADS + 1))
chains=$((REFRESH_CHAINS_PER_THREAD * THREADS))

# one account and one login (one token family) per chain
for i in $(seq 1 "$chains"); do
    email="refresh-$i-$$@example.com"
    register "$email"
    login "$email" | json_field refresh_token >>"$tokens"
done
[[ $(grep -c . "$tokens") == "$chains" ]] || { echo "logins failed" >&2; exit 1; }
export REFRESH_TOKENS_FILE=$tokens

# warm-up on chains of its own, so that the measured chains start fresh
warm=$(mktemp)
for i in $(seq 1 "$chains"); do
    email="refresh-warm-$i-$$@example.com"
    register "$email"
    login "$email" | json_field refresh_token >>"$warm"
done
REFRESH_TOKENS_FILE=$warm wrk -t "$THREADS" -c "$CLIENTS" -d "$WARMUP" -s "$here/refresh.lua" "$DEMO_URL" >/dev/null
rm -f "$warm"

out=$(wrk -t "$THREADS" -c "$CLIENTS" -d "$DURATION" --timeout 10s -s "$here/refresh.lua" "$DEMO_URL")
rps=$(awk '/^rotations_per_s/ {print $2}' <<<"$out")
echo "refresh on PostgreSQL, $CLIENTS clients: $rps rotations/s, median $(awk '/^median_ms/ {print $2}' <<<"$out") ms," \
     "p99 $(awk '/^p99_ms/ {print $2}' <<<"$out") ms, $(awk '/^rotations / {print $2}' <<<"$out") rotations," \
     "$(awk '/^failed/ {print $2}' <<<"$out") failed"
grep '^first failures' <<<"$out" >&2 || true
