#!/usr/bin/env bash
# Throughput of the protected GET /api/me against the public GET /api/ping on the demo, on
# Grizzly and in Tomcat 10.1, with the verified-token cache on and off. Target: /api/me at
# least 0.9 × /api/ping with the cache.
#
# Usage: bench/load/me-vs-ping.sh [grizzly] [tomcat]     (default: both)
# Environment: DURATION (15s), WARMUP (5s), THREADS (2), CONNECTIONS (32), JAVA_OPTS,
#              MVN_ARGS, SKIP_BUILD=1 (reuse the built demo).
# wrk comes from Debian's packages (installed when missing and running as root). Loopback only.
source "$(dirname "$0")/common.sh"
need_tools
build_demo
containers=("$@")
((${#containers[@]})) || containers=(grizzly tomcat)

printf '%-8s %-6s %12s %12s %8s\n' container cache ping_rps me_rps ratio
for container in "${containers[@]}"; do
    for cache in true false; do
        GATEHOUSE_VERIFIED_TOKEN_CACHE=$cache GATEHOUSE_BCRYPT_COST=10 start_demo "$container"
        email="me-vs-ping-$$@example.com"
        register "$email"
        token=$(login "$email" | json_field access_token)
        [[ -n $token ]] || { echo "login failed" >&2; exit 1; }
        # The default access-token lifetime (5 minutes) outlasts these runs.
        DURATION=$WARMUP wrk_rps "$DEMO_URL/api/ping" >/dev/null
        DURATION=$WARMUP wrk_rps -H "Authorization: Bearer $token" "$DEMO_URL/api/me" >/dev/null
        ping=$(wrk_rps "$DEMO_URL/api/ping")
        me=$(wrk_rps -H "Authorization: Bearer $token" "$DEMO_URL/api/me")
        printf '%-8s %-6s %12s %12s %8s\n' "$container" "$cache" "$ping" "$me" "$(ratio "$me" "$ping")"
        stop_demo
    done
done
