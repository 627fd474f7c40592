#!/usr/bin/env bash
# Throughput of the protected GET /api/me (and GET /api/claims, which answers from the token
# alone) against the public GET /api/ping on the demo, on Grizzly and in Tomcat 10.1, with the
# verified-token cache on and off. Target: /api/me at least 0.9 x /api/ping with the cache.
# A fourth route shows what the token's bytes alone cost the container and the load client:
# /api/ping carrying the same header value under a name of the same length that nothing reads
# ("padded"), so the request is as long as /api/me's. No verifier can beat that one.
# The routes are measured in ROUNDS rounds of DURATION each; within a round they run in a fresh
# random order (shuf), so that no route always follows the same one or always runs at the same
# point of a round. Each route's figure is the mean over the rounds: on a shared machine, a slow
# spell then falls on every route alike instead of on whichever ran during it. The rounds' own
# me/ping ratios give the spread: their mean with an approximate 95 % confidence interval (mean
# plus or minus 2 standard errors), and the verdict on the target says "met" only when the whole
# interval is at least 0.9, "NOT met" when it is all below, and "undecided" otherwise.
#
# Usage: bench/load/me-vs-ping.sh [grizzly] [tomcat]     (default: both)
# Environment: ROUNDS (20), DURATION (3s per route per round), WARMUP (15s per route), THREADS (2),
#              CONNECTIONS (32), CACHE ("true false": the cache settings to measure), JAVA_OPTS,
#              MVN_ARGS, SKIP_BUILD=1 (reuse the built demo).
# About 5 minutes per container and cache setting with the defaults.
# wrk comes from Debian's packages (installed when missing and running as root). Loopback only.
round_duration=${DURATION:-3s}   # read before common.sh sets its own default
# Tomcat's JIT was still speeding up after 5 s per route (ping rose 2.8x over five rounds on a
# slow day), so this script warms each route for longer than the others do.
WARMUP=${WARMUP:-15s}
source "$(dirname "$0")/common.sh"
need_tools
build_demo
containers=("$@")
((${#containers[@]})) || containers=(grizzly tomcat)
ROUNDS=${ROUNDS:-20}
DURATION=$round_duration

mean() {   # the mean of every number on stdin
    awk '{ for (i = 1; i <= NF; i++) { s += $i; n++ } } END { printf "%.2f", s / n }'
}

# spread — reads one ratio per line; prints "mean low high" (mean -/+ 2 standard errors).
spread() {
    awk '{ x[++n] = $1; s += $1 }
         END { m = s / n; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
               se = n > 1 ? sqrt(v / (n - 1) / n) : 0
               printf "%.3f %.3f %.3f\n", m, m - 2 * se, m + 2 * se }'
}

verdict() {   # verdict LOW HIGH — against the target of 0.9
    awk -v lo="$1" -v hi="$2" 'BEGIN { print (lo >= 0.9 ? "met" : (hi < 0.9 ? "NOT met" : "undecided")) }'
}

# route NAME — the wrk arguments of one route
route() {
    case $1 in
        ping) echo "$DEMO_URL/api/ping" ;;
        # as many bytes as "Authorization: Bearer ...", under a name nothing reads
        padded) printf '%s\n' -H "X-Same-Length: Bearer $token" "$DEMO_URL/api/ping" ;;
        me) printf '%s\n' -H "Authorization: Bearer $token" "$DEMO_URL/api/me" ;;
        claims) printf '%s\n' -H "Authorization: Bearer $token" "$DEMO_URL/api/claims" ;;
    esac
}

routes=(ping padded me claims)
printf '%-8s %-6s %12s %12s %12s %12s %8s %8s %10s %24s %s\n' container cache ping_rps padded_rps me_rps claims_rps \
    me/ping claims/ping me/padded "rounds' me/ping [95% CI]" target
for container in "${containers[@]}"; do
    for cache in ${CACHE:-true false}; do
        # A token that outlives every round: the default lifetime (5 minutes) is shorter than a
        # run, and a token that expires mid-run turns the rest into 401s (and its last second
        # into full verifications, as the cache stops serving it just before exp).
        GATEHOUSE_ACCESS_TOKEN_TTL=PT1H GATEHOUSE_VERIFIED_TOKEN_CACHE=$cache GATEHOUSE_BCRYPT_COST=10 start_demo "$container"
        email="me-vs-ping-$$@example.com"
        register "$email"
        token=$(login "$email" | json_field access_token)
        [[ -n $token ]] || { echo "login failed" >&2; exit 1; }
        declare -A rps=()
        for r in "${routes[@]}"; do
            mapfile -t args < <(route "$r")
            DURATION=$WARMUP wrk_rps "${args[@]}" >/dev/null
            rps[$r]=""
        done
        me_ping=()
        for i in $(seq 1 "$ROUNDS"); do
            declare -A this=()
            for r in $(printf '%s\n' "${routes[@]}" | shuf); do
                mapfile -t args < <(route "$r")
                this[$r]=$(wrk_rps "${args[@]}")
                rps[$r]+="${this[$r]} "
            done
            me_ping+=("$(ratio "${this[me]}" "${this[ping]}")")
            # each round on stderr, so that the spread between rounds can be seen
            echo "  round $i: ping ${this[ping]} padded ${this[padded]} me ${this[me]} claims ${this[claims]}" \
                 "me/ping ${me_ping[-1]} me/padded $(ratio "${this[me]}" "${this[padded]}")" >&2
        done
        for r in "${routes[@]}"; do
            rps[$r]=$(mean <<<"${rps[$r]}")
        done
        read -r m lo hi < <(printf '%s\n' "${me_ping[@]}" | spread)
        target="-"
        [[ $cache == true ]] && target=$(verdict "$lo" "$hi")
        printf '%-8s %-6s %12s %12s %12s %12s %8s %8s %10s %24s %s\n' "$container" "$cache" "${rps[ping]}" "${rps[padded]}" \
            "${rps[me]}" "${rps[claims]}" "$(ratio "${rps[me]}" "${rps[ping]}")" "$(ratio "${rps[claims]}" "${rps[ping]}")" \
            "$(ratio "${rps[me]}" "${rps[padded]}")" "$m [$lo, $hi]" "$target"
        stop_demo
    done
done
