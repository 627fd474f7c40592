#!/usr/bin/env bash
# Builds Gatehouse (tests skipped) and runs the demo on Jersey + Grizzly with an embedded H2
# database under ./data. Settings: the environment variables of docs/demo.md (GATEHOUSE_PORT, ...).
set -euo pipefail
cd "$(dirname "$0")"
# The build checks (licence headers, checkstyle, Error Prone) are left to `mvn verify`: the demo only needs the jars.
mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dinvoker.skip=true \
  -Dlicense.skip=true -Dcheckstyle.skip=true -Derrorprone.skip=true install -pl demo-app -am \
  | sed -u 's/\x1b\[[0-9;]*m//g'   # Maven 3.8 writes colour resets even in batch mode; the ready line starts its own line

jar=$(ls demo-app/target/gatehouse-demo-*.jar | grep -v -- '-tests\.jar$' | head -n 1)
classpath="$jar:demo-app/target/lib/*"
archive=demo-app/target/gatehouse-demo.jsa

# Application class-data sharing: after each build, one short training run (in-memory database,
# throw-away key-encryption key, pepper and second-factor key, so that it writes nothing under ./data) records the classes the demo loads; later starts map them instead of loading
# them (about 0.6 s faster here). If recording fails, the demo simply starts without it.
if [ ! -f "$archive" ] || [ "$jar" -nt "$archive" ]; then
  rm -f "$archive"
  GATEHOUSE_PORT=0 GATEHOUSE_JDBC_URL="jdbc:h2:mem:training" \
  GATEHOUSE_KEY_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)" GATEHOUSE_PEPPER="$(head -c 32 /dev/urandom | base64)" \
  GATEHOUSE_MFA_KEY="$(head -c 32 /dev/urandom | base64)" \
    java -XX:ArchiveClassesAtExit="$archive" -Dgatehouse.demo.exit-after-start=true \
      -cp "$classpath" dev.gatehouse.demo.grizzly.DemoMain >/dev/null 2>&1 || rm -f "$archive"
fi
share=()
[ -f "$archive" ] && share=(-XX:SharedArchiveFile="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)

exec java "${share[@]}" ${JAVA_OPTS:-} -cp "$classpath" dev.gatehouse.demo.grizzly.DemoMain "$@"
