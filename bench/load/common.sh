# Shared by the load scripts (sourced, not run): build the demo, start it on a free loopback
# port (Grizzly from the jar, or the WAR in a real Tomcat 10.1), or several Grizzly nodes at once
# (launch_node / await_nodes / stop_node), accounts and tokens, and wrk.
# Everything binds 127.0.0.1 only; every wrk run is bounded by DURATION.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DEMO_URL=""
DEMO_PID=""
DEMO_LOG=""
DEMO_BASE=""
LAUNCHED_PID=""
PASSWORD="load-test-Passw0rd-$$"

need_tools() {
    local missing=()
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    if ((${#missing[@]})); then
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing ${missing[*]} from Debian's packages" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
                || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
        else
            echo "Missing: ${missing[*]} (apt-get install ${missing[*]})" >&2
            exit 2
        fi
    fi
}

# Builds the demo jar, its lib/ and the unpacked Tomcat unless SKIP_BUILD=1.
build_demo() {
    if [[ "${SKIP_BUILD:-}" != "1" ]]; then
        # -Dinvoker.skip: the filter's consumer build (maven-invoker-plugin) is a test, and its install
        # step wants gatehouse-bom, which is not among the modules the demo needs
        # shellcheck disable=SC2086
        (cd "$ROOT" && mvn -B -q ${MVN_ARGS:-} -DskipTests -Dinvoker.skip=true -pl demo-app -am pre-integration-test)
    fi
}

free_port() {
    java -XX:TieredStopAtLevel=1 -Xshare:auto "$ROOT/bench/load/FreePort.java"
}

# start_demo grizzly|tomcat — the GATEHOUSE_* variables of the caller's environment apply.
# Defaults here: an in-memory H2 database, a throw-away key-encryption key and password pepper,
# and (the WAR needs one) the issuer http://127.0.0.1:<port>, and logins without a verified email
# (GATEHOUSE_REQUIRE_VERIFIED_EMAIL=false: the accounts the scripts register log in at once). A
# bcrypt cost below 10 needs GATEHOUSE_TEST_MODE=true, which the caller sets.
start_demo() {
    local container=$1
    demo_environment
    DEMO_LOG=$(mktemp -t gatehouse-demo.XXXXXX.log)
    DEMO_BASE=$(mktemp -d -t gatehouse-load.XXXXXX)
    if [[ $container == grizzly ]]; then
        launch_grizzly "$DEMO_BASE" "$DEMO_LOG"
        DEMO_PID=$LAUNCHED_PID
        for _ in $(seq 1 600); do
            DEMO_URL=$(ready_url "$DEMO_LOG")
            [[ -n $DEMO_URL ]] && break
            kill -0 "$DEMO_PID" 2>/dev/null || { cat "$DEMO_LOG" >&2; exit 1; }
            sleep 0.1
        done
    else
        local home port opts issuer
        home=$(ls -d "$ROOT"/demo-app/target/tomcat/apache-tomcat-* | head -n 1)
        port=$(free_port)
        # the WAR never guesses its issuer: unless the caller set one, the address the connector below binds
        issuer=${GATEHOUSE_ISSUER:-http://127.0.0.1:$port}
        mkdir -p "$DEMO_BASE"/{conf,logs,temp,webapps,work}
        cp -r "$home"/conf/. "$DEMO_BASE/conf/"
        sed -i -e 's/<Server port="8005"/<Server port="-1"/' \
               -e "s/<Connector port=\"8080\" protocol=\"HTTP\/1.1\"/<Connector port=\"$port\" address=\"127.0.0.1\" protocol=\"HTTP\/1.1\"/" \
               "$DEMO_BASE/conf/server.xml"
        cp "$ROOT/demo-app/target/gatehouse-demo.war" "$DEMO_BASE/webapps/ROOT.war"
        # catalina.sh passes both JAVA_OPTS and CATALINA_OPTS to the JVM: hand ours over once
        # (an -agentpath given twice stops the JVM)
        opts=${JAVA_OPTS:-}
        (cd "$DEMO_BASE" && GATEHOUSE_ISSUER=$issuer JAVA_OPTS="" CATALINA_HOME=$home CATALINA_BASE=$DEMO_BASE CATALINA_OPTS=$opts \
            exec "$home/bin/catalina.sh" run >"$DEMO_LOG" 2>&1) &
        DEMO_PID=$!
        DEMO_URL="http://127.0.0.1:$port"
    fi
    for _ in $(seq 1 600); do
        if curl -fsS -o /dev/null "$DEMO_URL/api/ping" 2>/dev/null; then
            echo "Demo ($container) up at $DEMO_URL" >&2
            return 0
        fi
        kill -0 "$DEMO_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$DEMO_LOG" >&2
    echo "The demo did not start" >&2
    stop_demo
    exit 1
}

# The defaults of start_demo and launch_node, exported (so that every node started afterwards gets
# the same key-encryption key and pepper unless the caller set them).
demo_environment() {
    export GATEHOUSE_JDBC_URL=${GATEHOUSE_JDBC_URL:-"jdbc:h2:mem:load-$$;DB_CLOSE_DELAY=-1"}
    export GATEHOUSE_KEY_ENCRYPTION_KEY=${GATEHOUSE_KEY_ENCRYPTION_KEY:-$(head -c 32 /dev/urandom | base64)}
    export GATEHOUSE_PEPPER=${GATEHOUSE_PEPPER:-$(head -c 32 /dev/urandom | base64)}
    export GATEHOUSE_HOST=127.0.0.1
    export GATEHOUSE_REQUIRE_VERIFIED_EMAIL=${GATEHOUSE_REQUIRE_VERIFIED_EMAIL:-false}
}

# launch_grizzly WORKDIR LOG — starts the demo jar on Grizzly (port 0: it picks a free one) in the
# background; LAUNCHED_PID is its process id (the JVM's own: the subshell execs it), a child of this
# shell, so that stop_demo and stop_node can wait for it.
launch_grizzly() {
    local jar
    jar=$(ls "$ROOT"/demo-app/target/gatehouse-demo-*.jar | grep -v -- '-tests\.jar$' | head -n 1)
    # shellcheck disable=SC2086
    (cd "$1" && GATEHOUSE_PORT=0 exec java ${JAVA_OPTS:-} -cp "$jar:$ROOT/demo-app/target/lib/*" \
        dev.gatehouse.demo.grizzly.DemoMain >"$2" 2>&1) &
    LAUNCHED_PID=$!
}

# ready_url LOG — the address of the ready line, once the demo has printed it.
ready_url() {
    local url
    url=$(sed -n 's/^Gatehouse demo ready at \(http[^ ]*\).*/\1/p' "$1" | head -n 1)
    echo "${url%/}"
}

stop_demo() {
    if [[ -n $DEMO_PID ]]; then
        kill "$DEMO_PID" 2>/dev/null || true
        wait "$DEMO_PID" 2>/dev/null || true
        DEMO_PID=""
    fi
    [[ -n $DEMO_BASE ]] && rm -rf "$DEMO_BASE"
    [[ -n $DEMO_LOG ]] && rm -f "$DEMO_LOG"
    DEMO_BASE=""
    DEMO_LOG=""
}

# Several Grizzly nodes at once, by name. launch_node NAME starts one in the background with the
# GATEHOUSE_* variables of the caller's environment (and the defaults of start_demo: give every node
# of one service the same GATEHOUSE_ISSUER, and leave the generated key-encryption key and pepper, or
# set them, for all); await_nodes waits until every node launched answers /api/ping, then
# NODE_URL[NAME] is its address and NODE_PID[NAME] its JVM; stop_node NAME stops one, stop_nodes all.
declare -A NODE_PID=() NODE_URL=() NODE_LOG=() NODE_BASE=()

launch_node() {
    local name=$1
    demo_environment
    NODE_LOG[$name]=$(mktemp -t "gatehouse-node-$name.XXXXXX.log")
    NODE_BASE[$name]=$(mktemp -d -t gatehouse-node.XXXXXX)
    launch_grizzly "${NODE_BASE[$name]}" "${NODE_LOG[$name]}"
    NODE_PID[$name]=$LAUNCHED_PID
    NODE_URL[$name]=""
}

# Waits up to NODE_START_TIMEOUT seconds (180: several JVMs starting at once share the cores).
await_nodes() {
    local deadline=$((SECONDS + ${NODE_START_TIMEOUT:-180})) name url pending
    while true; do
        pending=0
        for name in "${!NODE_PID[@]}"; do
            [[ -z ${NODE_URL[$name]} ]] || continue
            url=$(ready_url "${NODE_LOG[$name]}")
            if [[ -n $url ]] && curl -fsS -o /dev/null "$url/api/ping" 2>/dev/null; then
                NODE_URL[$name]=$url
                echo "Node $name up at $url" >&2
                continue
            fi
            if ! kill -0 "${NODE_PID[$name]}" 2>/dev/null; then
                cat "${NODE_LOG[$name]}" >&2
                echo "Node $name did not start" >&2
                exit 1
            fi
            pending=1
        done
        ((pending)) || return 0
        if ((SECONDS >= deadline)); then
            echo "Nodes did not start within ${NODE_START_TIMEOUT:-180} s" >&2
            exit 1
        fi
        sleep 0.1
    done
}

stop_node() {
    local name=$1
    [[ -n ${NODE_PID[$name]:-} ]] || return 0
    kill "${NODE_PID[$name]}" 2>/dev/null || true
    wait "${NODE_PID[$name]}" 2>/dev/null || true
    rm -rf "${NODE_BASE[$name]}" "${NODE_LOG[$name]}"
    unset "NODE_PID[$name]" "NODE_URL[$name]" "NODE_LOG[$name]" "NODE_BASE[$name]"
}

stop_nodes() {
    local name
    for name in "${!NODE_PID[@]}"; do
        stop_node "$name"
    done
}
trap 'stop_nodes; stop_demo' EXIT

# register EMAIL — creates an account with $PASSWORD.
register() {
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$DEMO_URL/auth/register"
}

# login EMAIL — prints the login response body (bearer transport).
login() {
    curl -fsS -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$DEMO_URL/auth/login"
}

# json_field NAME — reads one string field from the JSON on stdin.
json_field() {
    # the body has no final newline, and sed would print the match without one
    { cat; echo; } | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"
}

# wrk_rps ARGS... — runs wrk for $DURATION and prints requests per second. Any answer other than
# 2xx fails the script: a refused request is cheap and would flatter the figure.
wrk_rps() {
    local out
    out=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$@")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "wrk saw failed requests:" >&2
        echo "$out" >&2
        exit 1
    fi
    if grep -q "Socket errors" <<<"$out"; then
        echo "wrk saw socket errors (connections closed or timed out; requests still counted only when answered):" >&2
        grep "Socket errors" <<<"$out" >&2
    fi
    awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}
