#!/usr/bin/env bash
# Refresh-token rotation on PostgreSQL: 32 concurrent clients (wrk connections), rotating 32
# token chains (each answer's refresh token is the next request of its chain), against the demo
# on Grizzly. Prints
# rotations per second, median and p99 latency, and failed rotations (target: at least 1,000
# rotations/s, none failed or double-spent).
#
# Usage: bench/load/refresh-pg.sh
# Environment: CLIENTS (32), THREADS (2 wrk threads), DURATION (15s), WARMUP (60s), PGHOST (127.0.0.1), PGPORT (5432),
#              PGUSER (postgres), PGBENCH_CLIENTS (8: the demo's store threads, the most rotations
#              it runs at once), PGBENCH_WARMUP (10s), JAVA_OPTS, MVN_ARGS, SKIP_BUILD=1.
# Uses a database of its own (created and dropped here, with psql) on the given server; never
# touches others. wrk from Debian's packages. Loopback only.
# A refresh runs through much more code than a verification (Grizzly, Jersey's asynchronous
# responses, pgjdbc, the store), and with both cores busy serving it the JIT compiler needs about a
# minute to finish: after a 5 s warm-up it still took a fifth of the CPU samples of the measured
# window. The figure is the steady state, so this script warms up for longer than the others, and
# prints beside it what the JIT compiler did during the measured window (from jstat).
WARMUP=${WARMUP:-60s}
source "$(dirname "$0")/common.sh"
need_tools
for tool in psql pgbench; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is needed (apt-get install postgresql-client)" >&2; exit 2; }
done
command -v jstat >/dev/null 2>&1 || { echo "jstat is needed (it comes with the JDK)" >&2; exit 2; }
build_demo
CLIENTS=${CLIENTS:-32}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-8}
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

jit() { # the demo JVM's JIT so far: methods compiled, and the seconds its compile tasks ran
    jstat -compiler "$DEMO_PID" | awk 'NR == 2 {print $1, $4}'
}
jit_before=$(jit)
out=$(wrk -t "$THREADS" -c "$CLIENTS" -d "$DURATION" --timeout 10s -s "$here/refresh.lua" "$DEMO_URL")
jit_after=$(jit)
field() { # one of the "name value" lines refresh.lua prints at the end
    awk -v name="$1" '$1 == name {print $2}' <<<"$out"
}
rps=$(field rotations_per_s)
failed=$(field failed)
echo "refresh on PostgreSQL, $CLIENTS clients: $rps rotations/s, median $(field median_ms) ms," \
     "p99 $(field p99_ms) ms, $(field rotations) rotations, $failed failed"
grep '^first failures' <<<"$out" >&2 || true
awk -v r="$rps" -v f="$failed" 'BEGIN {
    printf "target (at least 1,000 rotations/s, none failed): %s\n", (r >= 1000 && f == 0) ? "met" : "NOT met"
}'
# The compile tasks' time is elapsed time: with both cores busy, a task waits for the CPU too.
awk -v a="$jit_before" -v b="$jit_after" -v d="$DURATION" -v w="$WARMUP" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "JIT during the measured %s (after a warm-up of %s): %d methods compiled, compile tasks ran %.1f s\n", d, w, y[1] - x[1], y[2] - x[2]
}'

# The baseline: the same statements from pgbench, on the same server, right after. Each pgbench
# client rotates a chain of its own (rows of their own: user u-RUN-C, family f-RUN-C, first token
# RUN-C-0), one run to warm up and one measured.
stop_demo
seconds() { # 15s, 2m or 30 -> seconds
    case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}
pgbench_run() { # RUN SECONDS -> pgbench's output
    psql -q -v ON_ERROR_STOP=1 -d "$db" -v run="$1" -v clients="$PGBENCH_CLIENTS" >/dev/null <<'SQL'
INSERT INTO gh_users (id, email, password_hash, roles, created_at)
  SELECT 'u-' || :'run' || '-' || c, 'pgbench-' || :'run' || '-' || c || '@example.com', 'not-a-hash', 'user', now()
  FROM generate_series(0, :clients - 1) c;
INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at)
  SELECT 'f-' || :'run' || '-' || c, 'u-' || :'run' || '-' || c, now(), now() + interval '30 days', NULL
  FROM generate_series(0, :clients - 1) c;
INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at,
                               expires_at, family_expires_at, used_at, revoked_at)
  SELECT lpad(:'run' || '-' || c || '-0', 64, '0'), 'f-' || :'run' || '-' || c, NULL, 'u-' || :'run' || '-' || c,
         now(), now() + interval '1 day', now() + interval '30 days', NULL, NULL
  FROM generate_series(0, :clients - 1) c;
SQL
    pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -T "$2" -D run="$1" -D cur=0 -f "$here/rotation.pgbench" "$db" 2>&1
}
pgbench_run warm "$(seconds "${PGBENCH_WARMUP:-10s}")" >/dev/null
bench=$(pgbench_run measured "$(seconds "$DURATION")")
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$bench")
done_tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$bench")
spent=$(psql -At -d "$db" -c "SELECT count(*) FROM gh_refresh_tokens WHERE family_id LIKE 'f-measured-%' AND used_at IS NOT NULL")
if [[ -z $tps || -z $done_tx ]] || grep -q 'aborted' <<<"$bench" || [[ $spent != "$done_tx" ]]; then
    echo "$bench" >&2
    echo "pgbench did not complete its rotations ($spent spent of ${done_tx:-?})" >&2
    exit 1
fi
echo "the same statements from pgbench alone ($PGBENCH_CLIENTS connections, no application): $(printf '%.1f' "$tps") rotations/s;" \
     "the application reaches $(awk -v a="$rps" -v b="$tps" 'BEGIN {printf "%.2f", a / b}') of it"
