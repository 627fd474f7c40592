#!/usr/bin/env bash
# Throughput of the protected GET /api/me (and GET /api/claims, which answers from the token
# alone) against the public GET /api/ping on the demo, on Grizzly and in Tomcat 10.1, with the
# verified-token cache on and off. Target: /api/me at least 0.9 x /api/ping with the cache.
# A fourth route shows what the token's bytes alone cost the container and the load client:
# /api/ping carrying the same header value under a name of the same length that nothing reads
# ("padded"), so the request is as long as /api/me's. No verifier can beat that one.
# The routes are measured in ROUNDS interleaved rounds (ping, padded, me, claims, ping, ...) of DURATION
# each, and each route's figure is the mean over the rounds: on a shared machine, a slow spell
# then falls on every route alike instead of on whichever ran during it.
#
# Usage: bench/load/me-vs-ping.sh [grizzly] [tomcat]     (default: both)
# Environment: ROUNDS (4), DURATION (5s per route per round), WARMUP (15s per route), THREADS (2),
#              CONNECTIONS (32), JAVA_OPTS, MVN_ARGS, SKIP_BUILD=1 (reuse the built demo).
# wrk comes from Debian's packages (installed when missing and running as root). Loopback only.
round_duration=${DURATION:-5s}   # read before common.sh sets its own default
# Tomcat's JIT was still speeding up after 5 s per route (ping rose 2.8x over five rounds on a
# slow day), so this script warms each route for longer than the others do.
WARMUP=${WARMUP:-15s}
source "$(dirname "$0")/common.sh"
need_tools
build_demo
containers=("$@")
((${#containers[@]})) || containers=(grizzly tomcat)
ROUNDS=${ROUNDS:-4}
DURATION=$round_duration

mean() {
    awk '{ s += $1; n++ } END { printf "%.2f", s / n }'
}

printf '%-8s %-6s %12s %12s %12s %12s %8s %8s %10s\n' container cache ping_rps padded_rps me_rps claims_rps \
    me/ping claims/ping me/padded
for container in "${containers[@]}"; do
    for cache in true false; do
        GATEHOUSE_VERIFIED_TOKEN_CACHE=$cache GATEHOUSE_BCRYPT_COST=10 start_demo "$container"
        email="me-vs-ping-$$@example.com"
        register "$email"
        token=$(login "$email" | json_field access_token)
        [[ -n $token ]] || { echo "login failed" >&2; exit 1; }
        # The default access-token lifetime (5 minutes) outlasts these runs.
        auth=(-H "Authorization: Bearer $token")
        padding=(-H "X-Same-Length: Bearer $token")   # as many bytes as "Authorization: Bearer ..."
        DURATION=$WARMUP wrk_rps "$DEMO_URL/api/ping" >/dev/null
        DURATION=$WARMUP wrk_rps "${padding[@]}" "$DEMO_URL/api/ping" >/dev/null
        DURATION=$WARMUP wrk_rps "${auth[@]}" "$DEMO_URL/api/me" >/dev/null
        DURATION=$WARMUP wrk_rps "${auth[@]}" "$DEMO_URL/api/claims" >/dev/null
        pings=() padded=() mes=() claims=()
        for _ in $(seq 1 "$ROUNDS"); do
            pings+=("$(wrk_rps "$DEMO_URL/api/ping")")
            padded+=("$(wrk_rps "${padding[@]}" "$DEMO_URL/api/ping")")
            mes+=("$(wrk_rps "${auth[@]}" "$DEMO_URL/api/me")")
            claims+=("$(wrk_rps "${auth[@]}" "$DEMO_URL/api/claims")")
            # each round on stderr, so that the spread between rounds can be seen
            echo "  round ${#pings[@]}: ping ${pings[-1]} padded ${padded[-1]} me ${mes[-1]} claims ${claims[-1]}" \
                 "me/ping $(ratio "${mes[-1]}" "${pings[-1]}") me/padded $(ratio "${mes[-1]}" "${padded[-1]}")" >&2
        done
        ping=$(printf '%s\n' "${pings[@]}" | mean)
        pad=$(printf '%s\n' "${padded[@]}" | mean)
        me=$(printf '%s\n' "${mes[@]}" | mean)
        claim=$(printf '%s\n' "${claims[@]}" | mean)
        printf '%-8s %-6s %12s %12s %12s %12s %8s %8s %10s\n' "$container" "$cache" "$ping" "$pad" "$me" "$claim" \
            "$(ratio "$me" "$ping")" "$(ratio "$claim" "$ping")" "$(ratio "$me" "$pad")"
        stop_demo
    done
done
