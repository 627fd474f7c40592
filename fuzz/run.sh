#!/usr/bin/env bash
# Runs one Gatehouse fuzz target for longer than `mvn verify` does (docs/security.md, "Fuzzing").
#
#   fuzz/run.sh <target> [seconds]      seconds defaults to 600
#
# Targets (one JVM each; Jazzer fuzzes a single @FuzzTest per run):
#   token-text       core   TokenStringFuzzTest      arbitrary text as token, Authorization header, cookie
#   token-structure  core   TokenStructureFuzzTest   mutated, re-signed and forged variants of issued tokens
#   request-bodies   jaxrs  RequestBodyFuzzTest      arbitrary bytes as register/login/refresh/logout bodies
#
# The corpus grows under <module>/target/jazzer/.cifuzz-corpus/ and is reused by the next run
# (until `mvn clean`). A finding fails the run; the reproducer is the crash-* file named in the
# output: see docs/security.md for what to do with it. Extra Maven arguments can be passed in
# MAVEN_ARGS (for example MAVEN_ARGS="-o -Dmaven.repo.local=/path").
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in
  token-text)      module=core;  execution=fuzz-token-text ;;
  token-structure) module=core;  execution=fuzz-token-structure ;;
  request-bodies)  module=jaxrs; execution=fuzz-request-bodies ;;
  *) usage ;;
esac
seconds=${2:-600}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "seconds must be a positive whole number" >&2; exit 2; }
read -r -a extra <<< "${MAVEN_ARGS:-}"

echo "[fuzz] building $module and what it needs (tests not run)"
mvn -B -q "${extra[@]}" install -DskipTests -pl "$module" -am
echo "[fuzz] fuzzing $1 for $seconds s"
# The minimum number of inputs scales with the duration (the CI run asserts 2000 in 15 s).
exec mvn -B "${extra[@]}" -pl "$module" "surefire:test@$execution" \
  -Dgatehouse.fuzz.seconds="$seconds" -Dgatehouse.fuzz.minRuns="$((seconds * 50))"
