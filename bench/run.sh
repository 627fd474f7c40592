#!/usr/bin/env bash
# Runs the JMH suite (verification and issuing, RS256/ES256/HS256, with -prof gc) and writes:
#   bench/results/jmh-<UTC time>.json and bench/results/latest.json   the raw JMH results
#   docs/performance.md (between its results markers)                  the tables and targets
#   docs/performance.svg                                                the chart (gnuplot)
#
# Usage: bench/run.sh [--quick] [extra JMH options...]
#   --quick   one short fork per benchmark to check that everything works end to end (about
#             3 minutes on an idle 2-core machine); writes to bench/results/quick/ and leaves
#             docs/ alone. Its figures mean nothing.
# Environment: MVN_ARGS (e.g. "-o -Dmaven.repo.local=...") is passed to Maven; SKIP_BUILD=1 reuses
# bench/target/benchmarks.jar.
# The chart needs gnuplot (Debian: gnuplot-nox). When it is missing and we are root with apt-get,
# it is installed; otherwise the chart is skipped with a message and the tables are still written.
# Run it on an otherwise idle machine: the figures are only as good as the quiet around them.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [[ "${1:-}" == "--quick" ]]; then
    quick=true
    shift
fi

if [[ "${SKIP_BUILD:-}" != "1" ]]; then
    # shellcheck disable=SC2086
    mvn -B -q ${MVN_ARGS:-} -pl bench -am package -DskipTests
fi
jar=bench/target/benchmarks.jar
stamp=$(date -u +%Y%m%dT%H%M%SZ)

if $quick; then
    out=bench/results/quick
    mkdir -p "$out"
    json=$out/jmh-quick.json
    doc=$out/performance.md
    svg=$out/performance.svg
    cp docs/performance.md "$doc"
    jmh_opts=(-f 1 -wi 1 -w 200ms -i 1 -r 300ms)
else
    out=bench/results
    mkdir -p "$out"
    json=$out/jmh-$stamp.json
    doc=docs/performance.md
    svg=docs/performance.svg
    jmh_opts=()   # the defaults in the benchmark annotations: 2 forks, 5 x 1 s warm-up, 5 x 1 s measured
fi

echo "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
java -jar "$jar" "${jmh_opts[@]}" -prof gc -rf json -rff "$json" "$@" 'dev\.gatehouse\.bench\.(Verify|Issue)Benchmark\.'
$quick || cp "$json" "$out/latest.json"

dat=$out/chart.dat
java -cp "$jar" dev.gatehouse.bench.Report "$json" "$doc" "$dat" "$(basename "$svg")"

if ! command -v gnuplot >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing gnuplot-nox from Debian's packages for the chart"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null; }
    fi
fi
if command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "data='$dat'; out='$svg'" bench/chart.gp
    echo "Chart: $svg"
else
    echo "gnuplot not found: chart skipped (apt-get install gnuplot-nox)" >&2
fi
echo "Results: $json; tables: $doc"
