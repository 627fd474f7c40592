#!/usr/bin/env bash
# Mail figures on the demo (Grizzly, GATEHOUSE_REQUIRE_VERIFIED_EMAIL=true), with mail going
# through the outbox to an SMTP sink on loopback (SmtpSink.java) that answers each message either
# at once ("instant") or after SLOW_MS ("slow", 500 ms):
#  1. latency (median and p90) of POST /auth/register (a new address per request: each queues a
#     verification mail) and of POST /auth/password-reset for existing and for unknown addresses,
#     with the slow server against the instant one — target: within 1.1 x (the request only writes
#     the outbox; the mail leaves later, from the dispatcher's thread). The configurations run
#     alternately (instant, slow, instant, slow, ...), PAIRS times each, each with a demo of its
#     own; every run is printed, and each figure's ratio is the median of the pairs' ratios;
#  2. the outbox drains at the server's pace: after a burst of BURST registrations, when each
#     message arrives at the sink: messages per second (about 2 with the slow server: one sending
#     thread per node, 500 ms a message), time to drain, and every message exactly once (distinct
#     Message-IDs, no duplicates).
# Registration hashes the password at COST (4 by default: a test cost, which the demo takes only
# with GATEHOUSE_TEST_MODE=true, so that the run is short); the per-client limit is lifted
# (GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE) so that the load is served, not throttled.
# The latency is measured at a steady rate, MAIL_RATE requests per second (each of MAIL_CONNECTIONS
# connections waits between an answer and its next request), not at as many as the server takes: a
# reset is answered before its look-up, which runs on the store pool (8 threads, a queue of 64),
# and a client that sent the next one at once would fill that queue and get 503s.
#
# Usage: bench/load/mail.sh
# Environment: COST (bcrypt cost, 4), SLOW_MS (500), PAIRS (2), DURATION (15s per request kind and
#              run), WARMUP (5s per request kind and run), THREADS (2), MAIL_CONNECTIONS (4),
#              MAIL_RATE (100 requests/s), KNOWN_ACCOUNTS (the existing addresses of the reset
#              requests; by default enough that none is asked for more than 3 times in a run, the
#              burst of the per-account mail limit, so that each of those requests queues a mail:
#              667 with the defaults), BURST (40), JAVA_OPTS, MVN_ARGS, SKIP_BUILD=1. About 8 minutes
#              with the defaults, about 2 more per further pair.
# wrk from Debian's packages. Loopback only.
source "$(dirname "$0")/common.sh"
need_tools
build_demo
COST=${COST:-4}
SLOW_MS=${SLOW_MS:-500}
PAIRS=${PAIRS:-2}
MAIL_CONNECTIONS=${MAIL_CONNECTIONS:-4}
MAIL_RATE=${MAIL_RATE:-100}
seconds() { # 15s, 2m or 30 -> seconds
    case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}
KNOWN_ACCOUNTS=${KNOWN_ACCOUNTS:-$(( (MAIL_RATE * ($(seconds "$WARMUP") + $(seconds "$DURATION")) + 2) / 3 ))}
BURST=${BURST:-40}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d -t gatehouse-mail.XXXXXX)
SINK_PID=""
SINK_PORT=""
SINK_LOG=""

# start_sink DELAY_MS — an SMTP sink on a free loopback port, logging to a fresh $SINK_LOG
start_sink() {
    local out
    SINK_LOG=$(mktemp -p "$work" sink.XXXXXX.log)
    out=$(mktemp -p "$work" sink.XXXXXX.out)
    java -XX:TieredStopAtLevel=1 -Xshare:auto "$here/SmtpSink.java" 0 "$1" "$SINK_LOG" >"$out" 2>&1 &
    SINK_PID=$!
    for _ in $(seq 1 300); do
        SINK_PORT=$(sed -n 's/^SMTP sink ready at 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
        [[ -n $SINK_PORT ]] && return 0
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$out" >&2
    echo "The SMTP sink did not start" >&2
    exit 1
}

stop_sink() {
    if [[ -n $SINK_PID ]]; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
        SINK_PID=""
    fi
}

cleanup() {
    stop_demo
    stop_sink
    rm -rf "$work"
}
trap cleanup EXIT

# a cost below 10 is a test cost: the demo takes it only with the test switch
test_mode=false
((COST < 10)) && test_mode=true

# mail_demo — the demo, its mail going to the sink started last
mail_demo() {
    GATEHOUSE_BCRYPT_COST=$COST GATEHOUSE_TEST_MODE=$test_mode GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE=1000000 \
        GATEHOUSE_REQUIRE_VERIFIED_EMAIL=true GATEHOUSE_SMTP_HOST=127.0.0.1 GATEHOUSE_SMTP_PORT=$SINK_PORT \
        GATEHOUSE_SMTP_SECURITY=none start_demo grizzly
}

delivered() { # messages the sink has accepted so far
    grep -c . "$SINK_LOG" || true
}

median() { # median [FORMAT] — the median of the numbers on stdin, one a line
    sort -g | awk -v f="${1:-%.3f}" '{ x[++n] = $1 } END { printf f, n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }'
}

export MAIL_PASSWORD=$PASSWORD MAIL_THREADS=$THREADS
# each connection's pause between an answer and its next request
export MAIL_DELAY_MS=$((MAIL_CONNECTIONS * 1000 / MAIL_RATE))
kinds=(register reset-known reset-unknown)
declare -A label=([register]="register" [reset-known]="reset (existing address)" [reset-unknown]="reset (unknown address)")
declare -A figures=()   # "<config> <kind> <median|p90>" -> the runs' values, space-separated

# latency_run CONFIG DELAY_MS RUN — one demo and sink; every kind of request warmed up, then measured
latency_run() {
    local config=$1 delay=$2 run=$3 out failed line kind registered=0
    start_sink "$delay"
    mail_demo
    # the existing accounts, four registrations at a time
    export MAIL_EMAILS_FILE="$work/known-$run"
    seq 1 "$KNOWN_ACCOUNTS" | sed "s/.*/known-&-$run-$$@example.com/" >"$MAIL_EMAILS_FILE"
    xargs -P 4 -I '{}' curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"{}\",\"password\":\"$PASSWORD\"}" "$DEMO_URL/auth/register" <"$MAIL_EMAILS_FILE"
    for kind in "${kinds[@]}"; do
        MAIL_MODE=$kind MAIL_PREFIX="warm-$run-$$" wrk -t "$THREADS" -c "$MAIL_CONNECTIONS" -d "$WARMUP" -s "$here/mail.lua" "$DEMO_URL" >/dev/null
    done
    line="run $run, $config SMTP server (${delay} ms a message):"
    local before after
    before=$(delivered)
    for kind in "${kinds[@]}"; do
        out=$(MAIL_MODE=$kind MAIL_PREFIX="run-$run-$$" wrk -t "$THREADS" -c "$MAIL_CONNECTIONS" -d "$DURATION" -s "$here/mail.lua" "$DEMO_URL")
        failed=$(awk '$1 == "mail_failed" {print $2}' <<<"$out")
        if [[ $failed != 0 ]]; then
            echo "$out" >&2
            echo "${label[$kind]}: $failed requests were not answered 202" >&2
            exit 1
        fi
        grep "Socket errors" <<<"$out" >&2 || true
        local median_ms p90_ms rps
        median_ms=$(awk '$1 == "mail_median_ms" {print $2}' <<<"$out")
        p90_ms=$(awk '$1 == "mail_p90_ms" {print $2}' <<<"$out")
        rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
        [[ $kind == register ]] && registered=$(awk '$1 == "mail_requests" {print $2}' <<<"$out")
        figures["$config $kind median"]+="$median_ms "
        figures["$config $kind p90"]+="$p90_ms "
        line+=" ${label[$kind]} median $median_ms ms p90 $p90_ms ms ($rps/s);"
    done
    after=$(delivered)
    echo "$line $registered registrations; the server accepted $((after - before)) mails meanwhile"
    stop_demo
    stop_sink
}

echo "bcrypt cost $COST$([[ $test_mode == true ]] && echo " (a test cost, GATEHOUSE_TEST_MODE=true, so that registrations are short)");" \
     "$MAIL_CONNECTIONS connections, about $MAIL_RATE requests/s; $DURATION per request kind and run after $WARMUP of warm-up;" \
     "resets of $KNOWN_ACCOUNTS existing accounts"
for pair in $(seq 1 "$PAIRS"); do
    latency_run instant 0 "$((2 * pair - 1))"
    latency_run slow "$SLOW_MS" "$((2 * pair))"
done

echo "each figure the median of the runs' (in ms), and its ratio the median of the pairs' (${SLOW_MS} ms server ÷ instant server):"
for kind in "${kinds[@]}"; do
    for p in median p90; do
        read -r -a slow <<<"${figures["slow $kind $p"]}"
        read -r -a instant <<<"${figures["instant $kind $p"]}"
        ratios=()
        for i in "${!slow[@]}"; do
            ratios+=("$(ratio "${slow[$i]}" "${instant[$i]}")")
        done
        m=$(printf '%s\n' "${ratios[@]}" | median)
        echo "${label[$kind]} $p ${SLOW_MS} ms server $(printf '%s\n' "${slow[@]}" | median %.2f) ms," \
             "instant server $(printf '%s\n' "${instant[@]}" | median %.2f) ms: $m x" \
             "(each pair: ${ratios[*]}; target within 1.1: $(awk -v r="$m" 'BEGIN { print (r <= 1.1 ? "met" : "NOT met") }'))"
    done
done

# drain CONFIG DELAY_MS — BURST registrations at once, then when their mails arrive
drain() {
    local config=$1 delay=$2 pids=() failed=0 start burst_end deadline
    start_sink "$delay"
    mail_demo
    start=$(date +%s%3N)
    for i in $(seq 1 "$BURST"); do
        curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
            -d "{\"email\":\"burst-$i-$$@example.com\",\"password\":\"$PASSWORD\"}" "$DEMO_URL/auth/register" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=$((failed + 1))
    done
    burst_end=$(date +%s%3N)
    ((failed == 0)) || { echo "$failed of $BURST registrations failed" >&2; exit 1; }
    # twice the time the server needs for them, and 30 s more
    deadline=$((burst_end + 2 * BURST * delay + 30000))
    while (($(delivered) < BURST)) && (($(date +%s%3N) < deadline)); do
        sleep 0.2
    done
    # then as long as one more message would take, for any duplicate still on its way
    sleep "$(awk -v d="$delay" 'BEGIN { printf "%.1f", 2 + 2 * d / 1000 }')"
    awk -v n="$BURST" -v start="$start" -v end="$burst_end" -v config="$config" -v delay="$delay" '
        { lines++; if (!seen[$2]++) distinct++; if (!first || $1 < first) first = $1; if ($1 > last) last = $1 }
        END {
            rate = lines > 1 && last > first ? (lines - 1) * 1000 / (last - first) : 0
            printf "drain, %s SMTP server (%d ms a message): %d registrations in %.1f s; %d messages arrived, %d distinct Message-IDs, %d duplicates;", \
                config, delay, n, (end - start) / 1000, lines, distinct, lines - distinct
            printf " %.2f messages/s from the first to the last", rate
            if (delay > 0) printf " (one sender, %d ms a message: at most %.2f/s)", delay, 1000 / delay
            printf "; drained %.1f s after the burst began: %s\n", \
                (last - start) / 1000, (lines == n && distinct == n) ? "every message exactly once" : "NOT every message exactly once"
        }' "$SINK_LOG"
    stop_demo
    stop_sink
}

drain instant 0
drain slow "$SLOW_MS"
