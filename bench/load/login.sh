#!/usr/bin/env bash
# Login figures on the demo (Grizzly):
#  1. median latency of POST /auth/login (one client at a time) against one BCrypt.checkpw at the
#     same cost in a plain JVM — target: within 10 %;
#  2. GET /api/me throughput during a flood of logins against the same without it — target: at
#     least 0.7 (the bounded hashing pool keeps bcrypt from taking every core).
#
# Usage: bench/load/login.sh
# Environment: COST (bcrypt cost, 12), DURATION (15s), WARMUP (5s), THREADS (2), CONNECTIONS (32,
#              for /api/me), FLOOD_CONNECTIONS (64), SAMPLES (checkpw samples, 20), JAVA_OPTS,
#              MVN_ARGS, SKIP_BUILD=1. wrk from Debian's packages. Loopback only.
source "$(dirname "$0")/common.sh"
need_tools
build_demo
COST=${COST:-12}
SAMPLES=${SAMPLES:-20}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)

jbcrypt=$(ls "$ROOT"/demo-app/target/lib/jbcrypt-*.jar | head -n 1)
checkpw=$(java -cp "$jbcrypt" "$here/CheckpwTime.java" "$COST" "$SAMPLES")

# a cost below 10 is a test cost: the demo takes it only with the test switch
test_mode=false
((COST < 10)) && test_mode=true
GATEHOUSE_BCRYPT_COST=$COST GATEHOUSE_TEST_MODE=$test_mode GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE=1000000 start_demo grizzly
email="login-$$@example.com"
register "$email"
token=$(login "$email" | json_field access_token)
[[ -n $token ]] || { echo "login failed" >&2; exit 1; }
export LOGIN_EMAIL=$email LOGIN_PASSWORD=$PASSWORD

# 1. latency, one login at a time
wrk -t 1 -c 1 -d "$WARMUP" -s "$here/login.lua" "$DEMO_URL" >/dev/null
latency=$(wrk -t 1 -c 1 -d "$DURATION" -s "$here/login.lua" "$DEMO_URL")
failed=$(awk '/^login_failed/ {print $2}' <<<"$latency")
median=$(awk '/^login_median_ms/ {print $2}' <<<"$latency")
echo "login median ${median} ms, one checkpw at cost $COST ${checkpw} ms: $(ratio "$median" "$checkpw") x (failed logins: $failed)"

# 2. /api/me alone, then during a flood of logins, spread over one account per two connections (one
#    client may have at most 5 logins of one account in flight: the throttle's burst)
flood_emails=$email
for i in $(seq 2 $(( (FLOOD_CONNECTIONS + 1) / 2 ))); do
    register "login-$$-$i@example.com"
    flood_emails="$flood_emails,login-$$-$i@example.com"
done
DURATION=$WARMUP wrk_rps -H "Authorization: Bearer $token" "$DEMO_URL/api/me" >/dev/null
alone=$(wrk_rps -H "Authorization: Bearer $token" "$DEMO_URL/api/me")
flood_log=$(mktemp)
LOGIN_EMAILS=$flood_emails wrk -t 1 -c "$FLOOD_CONNECTIONS" -d "$DURATION" -s "$here/login.lua" "$DEMO_URL" >"$flood_log" 2>&1 &
flood=$!
sleep 1
during=$(wrk_rps -H "Authorization: Bearer $token" "$DEMO_URL/api/me")
wait "$flood" || true
echo "/api/me alone ${alone} req/s, during a login flood ${during} req/s: $(ratio "$during" "$alone")"
echo "flood: $(awk '/^Requests\/sec:/ {print $2}' "$flood_log") logins/s answered (refused: $(awk '/^login_failed/ {print $2}' "$flood_log"); 503s are expected once the hashing queue is full)"
rm -f "$flood_log"
