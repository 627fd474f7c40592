#!/usr/bin/env bash
# What the revocation cache costs an idle node as the number of live revocations grows, on
# PostgreSQL, and how long a logout takes to reach the other nodes:
#  1. For each level N of LEVELS (0, 30,000 and 300,000 live revoked token ids, plus
#     SESSION_PERCENT % as many revoked sessions and USER_PERCENT % as many user cut-offs), one demo
#     node (Grizzly) on a database of its own that holds them before the node starts. The nodes of all
#     levels run at the same time and stay idle; after WARMUP, ROUNDS windows of WINDOW each measure,
#     for every node in the same window: the JVM's CPU (utime + stime from /proc/<pid>/stat, in clock
#     ticks, and as a share of one core), and the rows its database read from the three tables the
#     cache reloads (gh_revoked_tokens, gh_refresh_families, gh_user_revocations), turned into rows
#     per reload interval (rows × staleness ÷ window). Each figure is compared with the N = 0 node of
#     the same run; the target is that both stay flat (within the noise of N = 0).
#  2. The staleness bound with three nodes on the database of the last level: a user logs in on node
#     1 and the token is used on nodes 2 and 3; at a random moment of the reload interval, a logout on
#     node 1; nodes 2 and 3 are polled every POLL_MS with the token until they answer 401. REPEATS
#     times; min, median and max of the delays against the staleness (target: at most the staleness
#     plus MARGIN, the same margin as PostgresMultiNodeIT).
# Everything the scaling page needs is printed as markdown tables on stdout (progress on stderr).
#
# Usage: bench/load/revocation-idle.sh
#        LEVELS="0 300000" ROUNDS=3 bench/load/revocation-idle.sh      # shorter
# Environment: LEVELS ("0 30000 300000"; the first level is the baseline), SESSION_PERCENT (10),
#              USER_PERCENT (1), TOKEN_LIFE (how long the inserted revocations stay live, "30
#              minutes": longer than the run), WARMUP (70s), WINDOW (20s), ROUNDS (6),
#              GATEHOUSE_REVOCATION_STALENESS (PT5S, the default of the library and the demo; both
#              parts use it), REPEATS (5), SETTLE (10s: the two extra nodes of part 2 run this long
#              before the first logout), POLL_MS (20), MARGIN (1.5, seconds), PGHOST (127.0.0.1),
#              PGPORT (5432), PGUSER (postgres), GATEHOUSE_ISSUER (https://gatehouse.bench.test, the
#              same on every node), GATEHOUSE_BCRYPT_COST (10), FLAT_CPU (0.5: a level is flat when its
#              CPU exceeds N = 0's by at most this % of one core, the median of the paired rounds),
#              FLAT_ROWS (100: ... and its database reads at most this many more rows per interval),
#              NODE_START_TIMEOUT (180), JAVA_OPTS, MVN_ARGS, SKIP_BUILD=1. Any other GATEHOUSE_*
#              variable reaches every node.
# Uses databases of its own (created and dropped here, with psql) on the given server; never touches
# others. Loopback only. About 4.5 minutes after the build.
#
# How it is measured, and why:
# - The schema is made once, by a node on a template database; each level's database is a copy of it,
#   filled with one INSERT ... SELECT FROM generate_series per table and then VACUUM ANALYZE (so that
#   no autovacuum or plan change falls into a window). Its node starts on the filled database, as a
#   node that joins a running service: it loads everything before its first request either way.
# - All levels are measured in the same windows, so that a busy spell of the shared machine falls on
#   every level alike; the per-round comparison with N = 0 is paired.
# - Rows read = seq_tup_read of the three tables + idx_tup_read of their indexes (pg_stat_user_tables
#   and pg_stat_user_indexes of the node's database; the probe itself reads only catalogs). Every
#   scan is counted once: a sequential scan by the rows it read (whatever the WHERE kept), an index,
#   index-only or bitmap scan by the index entries it read. "Scans" are seq_scan + idx_scan of the
#   three tables: one per query the cache runs on each of them. "All tuples" is tup_returned +
#   tup_fetched of the node's database in pg_stat_database (read from the postgres database): every
#   table and catalog, the probe's connections included, the same for every level.
# - PostgreSQL (15) publishes a backend's table counters lazily: at the end of a transaction at most
#   once a second, otherwise within 10 s of going idle (pg_stat_force_next_flush() acts on the calling
#   backend only, so it cannot help here). A reload can therefore land in the round after it ran: the
#   rounds are back to back, so nothing is lost, and "per interval" is taken over all rounds together
#   (the two ends are off by at most one interval in ROUNDS × WINDOW). A single round's figure also
#   depends on whether 3 or 4 reloads of 5 s plus their query time fit in its window: the spread shows it.
# - CPU: the JVM's whole process (every thread: the reload, its garbage, the JIT, Grizzly, the pool's
#   housekeeping, the key reload every 30 s), over the same windows.
# - The warm-up lets the JIT compile the reload, and passes the purge that AuthService runs a minute
#   after a node starts (then every 15 minutes: it scans gh_revoked_tokens too, and in a window it
#   would count as a reload that read nothing) and, with numbered revocations (schema version 4), the
#   extra full read one GATEHOUSE_REVOCATION_OVERLAP (PT1M) after start. Their periodic full read
#   (GATEHOUSE_REVOCATION_RECONCILIATION, PT10M) does not fall into the default run; to see it, set
#   it to PT1M and WARMUP + ROUNDS × WINDOW accordingly (each full read shows as a round with N rows).
# - The revoked sessions and cut-offs are recorded at the fill, and count for the revocation horizon
#   (6.5 minutes at the default access-token lifetime): keep WARMUP + ROUNDS × WINDOW below about 5
#   minutes. The report counts what was still live at the end of part 1.
WARMUP=${WARMUP:-70s}
source "$(dirname "$0")/common.sh"
for tool in psql curl awk; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is needed (apt-get install postgresql-client curl gawk)" >&2; exit 2; }
done
export LC_ALL=C
started=$SECONDS
build_demo

LEVELS=${LEVELS:-"0 30000 300000"}
read -r -a levels <<<"$LEVELS"
((${#levels[@]} >= 1)) || { echo "LEVELS is empty" >&2; exit 2; }
SESSION_PERCENT=${SESSION_PERCENT:-10}
USER_PERCENT=${USER_PERCENT:-1}
TOKEN_LIFE=${TOKEN_LIFE:-"30 minutes"}
WINDOW=${WINDOW:-20s}
ROUNDS=${ROUNDS:-6}
REPEATS=${REPEATS:-5}
SETTLE=${SETTLE:-10s}
POLL_MS=${POLL_MS:-20}
MARGIN=${MARGIN:-1.5}
FLAT_CPU=${FLAT_CPU:-0.5}
FLAT_ROWS=${FLAT_ROWS:-100}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
export GATEHOUSE_REVOCATION_STALENESS=${GATEHOUSE_REVOCATION_STALENESS:-PT5S}
export GATEHOUSE_ISSUER=${GATEHOUSE_ISSUER:-https://gatehouse.bench.test}
export GATEHOUSE_BCRYPT_COST=${GATEHOUSE_BCRYPT_COST:-10}
export GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE=${GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE:-100000}
export GATEHOUSE_JDBC_USER=$PGUSER

seconds() { # 20s, 2m or 30 -> seconds
    case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}
iso_seconds() { # PT5S, PT0.5S, PT1M, PT1M30S -> seconds (what the demo takes: java.time.Duration)
    awk -v d="$1" 'BEGIN {
        if (d !~ /^PT([0-9]+M)?([0-9.]+S)?$/ || d == "PT") { exit 1 }
        s = 0; rest = substr(d, 3)
        if (match(rest, /^[0-9]+M/)) { s += 60 * substr(rest, 1, RLENGTH - 1); rest = substr(rest, RLENGTH + 1) }
        if (rest != "") { s += substr(rest, 1, length(rest) - 1) }
        print s
    }'
}
staleness=$(iso_seconds "$GATEHOUSE_REVOCATION_STALENESS") \
    || { echo "GATEHOUSE_REVOCATION_STALENESS: give it as PT<n>S or PT<n>M (it is $GATEHOUSE_REVOCATION_STALENESS)" >&2; exit 2; }
warmup_s=$(seconds "$WARMUP")
window_s=$(seconds "$WINDOW")
settle_s=$(seconds "$SETTLE")
clk_tck=$(getconf CLK_TCK)
now_us() { local t=$EPOCHREALTIME; echo "${t/[.,]/}"; }

run="gh_load_revidle_$$"
template="${run}_schema"
dbs=()
level_db() { echo "${run}_$1"; }
jdbc_url() { echo "jdbc:postgresql://$PGHOST:$PGPORT/$1"; }
cleanup() {
    stop_nodes
    stop_demo
    local db
    for db in "${dbs[@]}"; do
        psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# ---- the databases ----------------------------------------------------------------------------
echo "Making the schema (one node on $template)" >&2
psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $template" >/dev/null
dbs+=("$template")
export GATEHOUSE_JDBC_URL
GATEHOUSE_JDBC_URL=$(jdbc_url "$template")
launch_node schema
await_nodes
stop_node schema

fill() { # DB N: N live revoked token ids, and the shares of revoked sessions and user cut-offs
    local sessions=$(($2 * SESSION_PERCENT / 100)) users=$(($2 * USER_PERCENT / 100))
    psql -q -v ON_ERROR_STOP=1 -d "$1" -v n="$2" -v sessions="$sessions" -v users="$users" -v life="$TOKEN_LIFE" >/dev/null <<'SQL'
-- token ids of 22 characters, like the demo's (128 random bits in base64url), unique by their tail
INSERT INTO gh_revoked_tokens (jti, expires_at)
  SELECT substr(md5(i::text), 1, 14) || lpad(to_hex(i), 8, '0'), now() + :'life'::interval
  FROM generate_series(1, :n) i;
-- sessions revoked now (they matter for the revocation horizon, about 6.5 min at the default access-token
-- lifetime), of 100 users
INSERT INTO gh_users (id, email, password_hash, roles, created_at)
  SELECT 'bench-user-' || u, 'bench-user-' || u || '@example.com', 'not-a-hash', 'user', now()
  FROM generate_series(1, 100) u WHERE :sessions > 0;
-- from schema version 4 on, a session revoked by the service carries a change number (tokens and cut-offs
-- get theirs from the column's default)
SELECT EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'gh_refresh_families' AND column_name = 'revoked_seq') AS numbered \gset
\if :numbered
INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at, last_used_at, revoked_seq)
  SELECT gen_random_uuid()::text, 'bench-user-' || (1 + i % 100), now() - interval '1 hour',
         now() + interval '14 days', now(), now() - interval '1 minute', nextval('gh_revocation_seq')
  FROM generate_series(1, :sessions) i;
\else
INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at, last_used_at)
  SELECT gen_random_uuid()::text, 'bench-user-' || (1 + i % 100), now() - interval '1 hour',
         now() + interval '14 days', now(), now() - interval '1 minute'
  FROM generate_series(1, :sessions) i;
\endif
-- logout-all / role-change cut-offs recorded now
INSERT INTO gh_user_revocations (user_id, min_generation, revoked_at)
  SELECT gen_random_uuid()::text, 1, now() FROM generate_series(1, :users) i;
SQL
    psql -q -v ON_ERROR_STOP=1 -d "$1" -c "VACUUM ANALYZE gh_revoked_tokens, gh_refresh_families, gh_user_revocations, gh_users" >/dev/null
}

for n in "${levels[@]}"; do
    db=$(level_db "$n")
    # the template's node has just closed its connections; the server may need a moment to see it
    for attempt in $(seq 1 50); do
        if psql -q -d postgres -c "CREATE DATABASE $db TEMPLATE $template" >/dev/null 2>&1; then
            break
        fi
        ((attempt < 50)) || { psql -q -d postgres -c "CREATE DATABASE $db TEMPLATE $template"; exit 1; }
        sleep 0.2
    done
    dbs+=("$db")
    echo "Filling $db with $n revoked token ids" >&2
    fill "$db" "$n"
done

# ---- part 1: idle nodes -------------------------------------------------------------------------
for n in "${levels[@]}"; do
    GATEHOUSE_JDBC_URL=$(jdbc_url "$(level_db "$n")")
    launch_node "L$n"
done
await_nodes
echo "Warming up for $WARMUP" >&2
sleep "$warmup_s"

# per table: rows read (its sequential scans' rows + its indexes' entries) and scans, in table order:
# gh_refresh_families (sessions), gh_revoked_tokens (tokens), gh_user_revocations (cut-offs)
table_stats="SELECT t.seq_tup_read + coalesce((SELECT sum(i.idx_tup_read) FROM pg_stat_user_indexes i WHERE i.relid = t.relid), 0),
                    t.seq_scan + coalesce(t.idx_scan, 0)
             FROM pg_stat_user_tables t
             WHERE t.relname IN ('gh_refresh_families', 'gh_revoked_tokens', 'gh_user_revocations') ORDER BY t.relname"
parts=(sessions tokens cutoffs)
metrics=(ticks tuples rows_sessions scans_sessions rows_tokens scans_tokens rows_cutoffs scans_cutoffs)
db_list=$(for n in "${levels[@]}"; do printf "'%s'," "$(level_db "$n")"; done)
db_list=${db_list%,}
cpu_ticks() { # PID -> utime + stime of the whole process, in clock ticks
    sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
declare -A snap  # [level,metric] -> the counter now
snapshot() { # -> s_time and snap
    local n datname value rows scans i=0
    s_time=$(now_us)
    for n in "${levels[@]}"; do
        snap[$n,ticks]=$(cpu_ticks "${NODE_PID[L$n]}")
    done
    # the whole database's counters first, from another database: the probes below add their own
    # catalog reads to the next round, the same for every level
    while read -r datname value; do
        for n in "${levels[@]}"; do
            [[ $datname == "$(level_db "$n")" ]] && snap[$n,tuples]=$value
        done
    done < <(psql -At -F ' ' -d postgres -c "SELECT datname, tup_returned + tup_fetched FROM pg_stat_database WHERE datname IN ($db_list)")
    for n in "${levels[@]}"; do
        i=0
        while read -r rows scans; do
            snap[$n,rows_${parts[$i]}]=$rows
            snap[$n,scans_${parts[$i]}]=$scans
            i=$((i + 1))
        done < <(psql -At -F ' ' -d "$(level_db "$n")" -c "$table_stats")
        ((i == 3)) || { echo "the revocation tables of $(level_db "$n") were not found" >&2; exit 1; }
    done
}

declare -A prev round  # prev: [level,metric]; round: [level,metric,round] -> the round's increase
r_secs=()
snapshot
t0=$s_time
load_before_idle=$(cut -d ' ' -f 1-3 /proc/loadavg)
for key in "${!snap[@]}"; do prev[$key]=${snap[$key]}; done
p_time=$s_time
for r in $(seq 1 "$ROUNDS"); do
    # sleep to the round's end on the clock of the first snapshot, so that the probes' time does not add up
    end_us=$((t0 + r * window_s * 1000000))
    now=$(now_us)
    ((end_us > now)) && sleep "$(awk -v d=$((end_us - now)) 'BEGIN {printf "%.3f", d / 1e6}')"
    snapshot
    r_secs+=("$(awk -v a="$p_time" -v b="$s_time" 'BEGIN {printf "%.3f", (b - a) / 1e6}')")
    line="round $r of $ROUNDS (${r_secs[-1]} s):"
    for n in "${levels[@]}"; do
        for m in "${metrics[@]}"; do
            round[$n,$m,$r]=$((${snap[$n,$m]} - ${prev[$n,$m]}))
            prev[$n,$m]=${snap[$n,$m]}
        done
        round[$n,rows,$r]=$((${round[$n,rows_sessions,$r]} + ${round[$n,rows_tokens,$r]} + ${round[$n,rows_cutoffs,$r]}))
        round[$n,scans,$r]=$((${round[$n,scans_sessions,$r]} + ${round[$n,scans_tokens,$r]} + ${round[$n,scans_cutoffs,$r]}))
        line="$line  N=$n ${round[$n,ticks,$r]} ticks ${round[$n,rows,$r]} rows ${round[$n,scans,$r]} scans"
    done
    p_time=$s_time
    echo "$line" >&2
done
load_after_idle=$(cut -d ' ' -f 1-3 /proc/loadavg)

# were the revocations still live at the end? (after the last snapshot: these counts read the tables)
declare -A live
for n in "${levels[@]}"; do
    live[$n]=$(psql -At -F ' / ' -d "$(level_db "$n")" -c "SELECT
        (SELECT count(*) FROM gh_revoked_tokens WHERE expires_at > now()),
        (SELECT count(*) FROM gh_refresh_families WHERE revoked_at > now() - interval '6 minutes'),
        (SELECT count(*) FROM gh_user_revocations WHERE revoked_at > now() - interval '6 minutes')")
done

# ---- part 2: staleness with three nodes -------------------------------------------------------------
last=${levels[-1]}
for n in "${levels[@]}"; do
    [[ $n == "$last" ]] || stop_node "L$n"
done
GATEHOUSE_JDBC_URL=$(jdbc_url "$(level_db "$last")")
launch_node S2
launch_node S3
await_nodes
sleep "$settle_s"
node1=${NODE_URL[L$last]}
node2=${NODE_URL[S2]}
node3=${NODE_URL[S3]}

claims_status() { # URL TOKEN
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "$1/api/claims"
}
# refused_after URL TOKEN SENT_US LIMIT_US — milliseconds from SENT_US until the first 401 came back,
# "timeout" after LIMIT_US, or "error-<status>"
refused_after() {
    local code now
    while true; do
        code=$(claims_status "$1" "$2")
        now=$(now_us)
        if [[ $code == 401 ]]; then
            echo $(((now - $3) / 1000))
            return
        fi
        if [[ $code != 200 ]]; then
            echo "error-$code"
            return
        fi
        if ((now - $3 > $4)); then
            echo timeout
            return
        fi
        sleep "$(awk -v ms="$POLL_MS" 'BEGIN {printf "%.3f", ms / 1000}')"
    done
}
email="stale-$$@example.com"
DEMO_URL=$node1 register "$email"
limit_us=$(awk -v s="$staleness" 'BEGIN {printf "%d", (3 * s + 10) * 1e6}')
delays2=()
delays3=()
out2=$(mktemp)
out3=$(mktemp)
for rep in $(seq 1 "$REPEATS"); do
    token=$(DEMO_URL=$node1 login "$email" | json_field access_token)
    [[ -n $token ]] || { echo "login on node 1 failed" >&2; exit 1; }
    for url in "$node2" "$node3"; do
        code=$(claims_status "$url" "$token")
        [[ $code == 200 ]] || { echo "node 1's token got $code from $url before the logout (same issuer and keys on every node?)" >&2; exit 1; }
    done
    # a random moment of the other nodes' reload interval
    sleep "$(awk -v s="$staleness" -v r="$RANDOM" 'BEGIN {printf "%.3f", s * r / 32768}')"
    sent=$(now_us)
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$node1/auth/logout")
    [[ $code == 204 ]] || { echo "logout on node 1 answered $code" >&2; exit 1; }
    refused_after "$node2" "$token" "$sent" "$limit_us" >"$out2" &
    poll2=$!
    refused_after "$node3" "$token" "$sent" "$limit_us" >"$out3" &
    poll3=$!
    code=$(claims_status "$node1" "$token")
    wait "$poll2" "$poll3"
    delays2+=("$(cat "$out2")")
    delays3+=("$(cat "$out3")")
    echo "logout $rep of $REPEATS: node 1 answered $code at once; refused on node 2 after ${delays2[-1]} ms, on node 3 after ${delays3[-1]} ms" >&2
    [[ $code == 401 ]] || { echo "node 1 still accepted its own logged-out token" >&2; exit 1; }
done
rm -f "$out2" "$out3"
stop_nodes

# ---- the report -------------------------------------------------------------------------------------
summary() { # VALUES... -> "median min max" (numbers; anything else is left out)
    printf '%s\n' "$@" | awk '/^-?[0-9.]+$/' | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print m, v[1], v[NR]
        }'
}
fmt() { # NUMBER [DECIMALS] -> with thousands separators
    awk -v x="$1" -v d="${2:-0}" 'BEGIN {
        if (x !~ /^-?[0-9.]+$/) { print x; exit }
        s = sprintf("%." d "f", x); sign = ""
        if (substr(s, 1, 1) == "-") { sign = "-"; s = substr(s, 2) }
        i = index(s, "."); whole = i ? substr(s, 1, i - 1) : s; frac = i ? substr(s, i) : ""
        out = ""
        while (length(whole) > 3) { out = "," substr(whole, length(whole) - 2) out; whole = substr(whole, 1, length(whole) - 3) }
        print sign whole out frac
    }'
}
sum_rounds() { # LEVEL METRIC -> the sum over the rounds
    local total=0 r
    for r in $(seq 1 "$ROUNDS"); do total=$((total + ${round[$1,$2,$r]})); done
    echo "$total"
}
rounds_of() { # LEVEL METRIC -> the rounds' values
    local r
    for r in $(seq 1 "$ROUNDS"); do echo "${round[$1,$2,$r]}"; done
}
per_scan() { # LEVEL PART -> rows per scan of that table over all rounds (both counters of a table are published together)
    awk -v x="$(sum_rounds "$1" "rows_$2")" -v s="$(sum_rounds "$1" "scans_$2")" 'BEGIN {if (s > 0) print x / s; else print 0}'
}
spread() { # VALUES... -> "median (min–max)"
    local m lo hi
    read -r m lo hi < <(summary "$@")
    echo "$(fmt "$m" "${SPREAD_DECIMALS:-0}") ($(fmt "$lo" "${SPREAD_DECIMALS:-0}")–$(fmt "$hi" "${SPREAD_DECIMALS:-0}"))"
}
measured_s=$(printf '%s\n' "${r_secs[@]}" | awk '{ s += $1 } END { printf "%.3f", s }')
intervals=$(awk -v m="$measured_s" -v s="$staleness" 'BEGIN {print m / s}')
base=${levels[0]}
base_ticks=$(sum_rounds "$base" ticks)
base_tuples=$(sum_rounds "$base" tuples)
# the code measured: the last commit that changed anything outside bench/, and whether the work tree
# differs from it there
commit=$(git -C "$ROOT" log -1 --format='%h %ad "%s"' --date=short -- . ':!bench' 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- . ':!bench' 2>/dev/null || commit="$commit, with uncommitted changes"
commit="$commit (HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))"
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
java_version=$(java -version 2>&1 | head -n 1)
pg_version=$(psql -At -d postgres -c "SHOW server_version")

echo "# revocation-idle.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "Code measured: $commit."
echo "Machine: $cpu, $(nproc) CPUs, $java_version, PostgreSQL $pg_version."
echo "Load average (1, 5, 15 min) when the measured windows began: $load_before_idle; when they ended: $load_after_idle."
echo "Revocation staleness $GATEHOUSE_REVOCATION_STALENESS ($staleness s) on every node. JAVA_OPTS: '${JAVA_OPTS:-}'."
echo "Part 1: one idle node per level, all levels at once, each on a database of its own; warm-up $warmup_s s, then"
echo "$ROUNDS rounds of $window_s s (${measured_s} s measured, $(fmt "$intervals" 1) reload intervals). Per level: N live revoked token ids,"
echo "plus ${SESSION_PERCENT} % as many revoked sessions and ${USER_PERCENT} % as many user cut-offs."
echo
echo "## Node CPU (utime + stime of the JVM; 1 tick = 1/$clk_tck s)"
echo
echo "| live revoked tokens N | live rows in the 3 tables | ticks per ${window_s} s window, median (min–max) | % of one core | × N=$base | extra % of a core over N=$base, per round: median (min–max) | flat (≤ $FLAT_CPU) |"
echo "|---:|---:|---:|---:|---:|---:|---|"
cpu_flat=yes
for n in "${levels[@]}"; do
    ticks=$(sum_rounds "$n" ticks)
    core=$(awk -v t="$ticks" -v c="$clk_tck" -v m="$measured_s" 'BEGIN {print 100 * t / c / m}')
    times=$(awk -v a="$ticks" -v b="$base_ticks" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')
    extra=()
    for r in $(seq 1 "$ROUNDS"); do
        extra+=("$(awk -v a="${round[$n,ticks,$r]}" -v b="${round[$base,ticks,$r]}" -v c="$clk_tck" -v s="${r_secs[$((r - 1))]}" \
            'BEGIN {printf "%.2f", 100 * (a - b) / c / s}')")
    done
    rows_live=$((n + n * SESSION_PERCENT / 100 + n * USER_PERCENT / 100))
    flat=$(summary "${extra[@]}" | awk -v f="$FLAT_CPU" '{print ($1 <= f) ? "yes" : "no"}')
    [[ $flat == yes ]] || cpu_flat=no
    echo "| $(fmt "$n") | $(fmt "$rows_live") | $(spread $(rounds_of "$n" ticks)) | $(fmt "$core" 2) | $times | $(SPREAD_DECIMALS=2 spread "${extra[@]}") | $flat |"
done
echo
echo "## Rows the node's database read for it"
echo
echo "| live revoked tokens N | rows read per ${window_s} s window, median (min–max) | **rows per interval** (all rounds) | rows/s | scans of gh_revoked_tokens per interval | rows per scan, the 3 tables summed | scans of the 3 tables per interval | all tuples of the database per interval | × N=$base | flat (≤ N=$base + $FLAT_ROWS) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
by_table=""
rows_flat=yes
base_per=$(awk -v x="$(sum_rounds "$base" rows)" -v i="$intervals" 'BEGIN {print x / i}')
for n in "${levels[@]}"; do
    rows=$(sum_rounds "$n" rows)
    scans=$(sum_rounds "$n" scans)
    reloads=$(sum_rounds "$n" scans_tokens)
    tuples=$(sum_rounds "$n" tuples)
    reloads_per=$(awk -v x="$reloads" -v i="$intervals" 'BEGIN {print x / i}')
    per_reload=$(awk -v a="$(per_scan "$n" tokens)" -v b="$(per_scan "$n" sessions)" -v c="$(per_scan "$n" cutoffs)" 'BEGIN {print a + b + c}')
    by_table="$by_table${by_table:+;} N=$n: $(fmt "$(per_scan "$n" tokens)" 1) + $(fmt "$(per_scan "$n" sessions)" 1) + $(fmt "$(per_scan "$n" cutoffs)" 1)"
    per=$(awk -v x="$rows" -v i="$intervals" 'BEGIN {print x / i}')
    per_s=$(awk -v x="$rows" -v m="$measured_s" 'BEGIN {print x / m}')
    scans_per=$(awk -v x="$scans" -v i="$intervals" 'BEGIN {print x / i}')
    tuples_per=$(awk -v x="$tuples" -v i="$intervals" 'BEGIN {print x / i}')
    times=$(awk -v a="$tuples" -v b="$base_tuples" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')
    flat=$(awk -v a="$per" -v b="$base_per" -v f="$FLAT_ROWS" 'BEGIN {print (a <= b + f) ? "yes" : "no"}')
    [[ $flat == yes ]] || rows_flat=no
    echo "| $(fmt "$n") | $(spread $(rounds_of "$n" rows)) | **$(fmt "$per")** | $(fmt "$per_s") | $(fmt "$reloads_per" 2) | $(fmt "$per_reload" 1) | $(fmt "$scans_per" 1) | $(fmt "$tuples_per") | $times | $flat |"
done
echo
echo "Rows read: seq_tup_read + idx_tup_read of gh_revoked_tokens, gh_refresh_families and gh_user_revocations; per interval"
echo "= rows × staleness ÷ time measured. Rows per scan: for each table its rows ÷ its scans over all rounds (a table's two"
echo "counters are published together, so this does not suffer from the lazy publication), summed over the three. Where a"
echo "reload scans each table once (every reload reading the whole live set, before schema version 4), the scans of"
echo "gh_revoked_tokens are the reloads (fewer than one per interval when a reload takes time: the next one starts a staleness"
echo "after the last one ended) and the rows per scan are the rows per reload. All tuples: tup_returned + tup_fetched of"
echo "pg_stat_database (every table and catalog, this script's probes included). A fleet of 100 such nodes reads 100 × the"
echo "rows/s column."
echo "Rows per scan by table (tokens + sessions + cut-offs):$by_table."
echo "Live at the end of part 1 (tokens / sessions / cut-offs):$(for n in "${levels[@]}"; do printf ' N=%s: %s;' "$n" "${live[$n]}"; done)"
echo
echo "Per round (seconds; then per level: CPU ticks, rows read, scans of the 3 tables (of gh_revoked_tokens), all tuples):"
echo
for r in $(seq 1 "$ROUNDS"); do
    line="round $r: ${r_secs[$((r - 1))]} s"
    for n in "${levels[@]}"; do
        line="$line | N=$n: ${round[$n,ticks,$r]} ticks, ${round[$n,rows,$r]} rows, ${round[$n,scans,$r]} scans (${round[$n,scans_tokens,$r]} of tokens), ${round[$n,tuples,$r]} tuples"
    done
    echo "    $line"
done
echo
echo "## Staleness with three nodes (N=$(fmt "$last"), staleness $staleness s)"
echo
echo "Logout on node 1 at a random moment of the reload interval, $REPEATS times; nodes 2 and 3 polled every $POLL_MS ms with"
echo "the logged-out token (GET /api/claims) until 401; time from sending the logout to the first 401 (node 1: 401 at once"
echo "every time). Nodes 2 and 3 had run $settle_s s on the filled database."
echo
echo "| refused on | samples | min | median | max | bound: staleness + $MARGIN s | met |"
echo "|---|---:|---:|---:|---:|---:|---|"
bound_ms=$(awk -v s="$staleness" -v m="$MARGIN" 'BEGIN {printf "%d", (s + m) * 1000}')
all_met=yes
stale_row() { # NAME VALUES...
    local name=$1 m lo hi met
    shift
    read -r m lo hi < <(summary "$@")
    met=yes
    for v in "$@"; do
        [[ $v =~ ^[0-9]+$ ]] && ((v <= bound_ms)) || met=no
    done
    [[ $met == yes ]] || all_met=no
    echo "| $name | $# | $(fmt "$lo") ms | $(fmt "$m") ms | $(fmt "$hi") ms | $(fmt "$bound_ms") ms | $met |"
}
stale_row "node 2" "${delays2[@]}"
stale_row "node 3" "${delays3[@]}"
stale_row "both" "${delays2[@]}" "${delays3[@]}"
echo
echo "Delays, node 2: ${delays2[*]} ms; node 3: ${delays3[*]} ms. A reload sees a logout committed before its query began,"
echo "and the next reload starts a staleness after the last one ended: for a logout at a random moment the delay lies between"
echo "one reload's time d and staleness + 2d (median about staleness ÷ 2 + 1.5 d), plus the poll's ${POLL_MS} ms."
echo
echo "## Verdict"
echo
echo "- idle CPU flat at every level (each within $FLAT_CPU % of a core of N=$base): $cpu_flat"
echo "- rows read flat at every level (each within $FLAT_ROWS rows per interval of N=$base): $rows_flat"
echo "- logout refused on the other nodes within staleness + $MARGIN s, every time: $all_met"
echo
echo "Run time: $((SECONDS - started)) s$([[ ${SKIP_BUILD:-} == 1 ]] && echo " (build skipped: SKIP_BUILD=1)" || echo ", build included"). Load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)."
