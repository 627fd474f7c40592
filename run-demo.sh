#!/usr/bin/env bash
# Builds Gatehouse (tests skipped) and runs the demo on Jersey + Grizzly with an embedded H2
# database under ./data. Settings: environment variables of API.md (GATEHOUSE_PORT, ...).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests -Dmaven.javadoc.skip=true install -pl demo-app -am
exec java ${JAVA_OPTS:-} -cp "demo-app/target/classes:demo-app/target/lib/*" dev.gatehouse.demo.grizzly.DemoMain "$@"
