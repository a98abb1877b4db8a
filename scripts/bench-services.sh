#!/usr/bin/env bash
# Load benchmark of registry-service's REST reads (docs/benchmarks.md "registry-service reads"):
# the packaged service on loopback against an embedded PostgreSQL 17 (testkit's
# EmbeddedPostgresServer) holding a populated read model, driven by wrk at a paced rate.
# Kafka and the chain are absent: the REST reads need only the database (the consumer keeps
# retrying its broker connection in the background, readiness is not needed).
#
# Usage: scripts/bench-services.sh
#   RATE=1000 (target req/s)  CONNECTIONS=20  DURATION=60s  HSMS=10000 (rows in hsms)
#   MODES="list item" (see scripts/bench/paced.lua)  PAGES=1 (list pages requested at random)
#   JAVA_OPTS="-Xmx512m"
# Not part of the test command. Needs wrk (scripts/install-deps.sh), a JDK 17 and the Maven
# repository already filled (it builds offline).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RATE="${RATE:-1000}"
CONNECTIONS="${CONNECTIONS:-20}"
DURATION="${DURATION:-60s}"
HSMS="${HSMS:-10000}"
MODES="${MODES:-list item}"
JAVA_OPTS="${JAVA_OPTS:--Xmx512m}"

log() { printf '[bench-services] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { log "wrk is required (Debian package wrk; scripts/install-deps.sh)"; exit 1; }

JAR=registry-service/target/quarkus-app/quarkus-run.jar
work="$(mktemp -d)"
db_pid=""
svc_pid=""
cleanup() {
  [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null || true
  [ -n "$db_pid" ] && kill "$db_pid" 2>/dev/null && wait "$db_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$JAR" ]; then
  log "packaging registry-service"
  ./mvnw -B -q -o -pl registry-service -am package -DskipTests
fi
log "resolving testkit's class path (for EmbeddedPostgresServer and the JDBC driver)"
./mvnw -B -q -o -pl testkit -am compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="testkit/target/classes:$(cat "$work/cp.txt")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

log "starting embedded PostgreSQL"
java -cp "$cp" scripts/bench/BenchDatabase.java "$work/pg" "$HSMS" "$work/ready" >"$work/db.log" 2>&1 &
db_pid=$!
for _ in $(seq 1 120); do grep -q '^PORT ' "$work/db.log" && break; sleep 0.5; done
pg_port="$(awk '/^PORT /{print $2}' "$work/db.log")"
[ -n "$pg_port" ] || { cat "$work/db.log" >&2; log "PostgreSQL did not start"; exit 1; }

http_port="$(free_port)"
log "starting registry-service on 127.0.0.1:$http_port (PostgreSQL on $pg_port)"
REGISTRY_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/registry" REGISTRY_DB_USER=postgres REGISTRY_DB_PASSWORD=postgres \
KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$(free_port)" \
  java $JAVA_OPTS -Dquarkus.http.port="$http_port" -Dquarkus.http.host=127.0.0.1 \
    -Dteeledger.chain.rpc-url="http://127.0.0.1:$(free_port)" \
    -Dquarkus.log.category.\"org.apache.kafka\".level=ERROR \
    -Dquarkus.log.category.\"io.smallrye.reactive.messaging.kafka\".level=ERROR \
    -jar "$JAR" >"$work/service.log" 2>&1 &
svc_pid=$!
for _ in $(seq 1 360); do [ -f "$work/ready" ] && break; kill -0 "$svc_pid" 2>/dev/null || break; sleep 0.5; done
[ -f "$work/ready" ] || { tail -50 "$work/service.log" >&2; cat "$work/db.log" >&2; log "service or read model not ready"; exit 1; }
url="http://127.0.0.1:$http_port"
for _ in $(seq 1 120); do curl -fsS -o /dev/null "$url/api/v1/hsms?page=0&size=2" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "$url/api/v1/hsms?page=0&size=2" || { tail -50 "$work/service.log" >&2; log "service not answering"; exit 1; }
log "read model: $HSMS HSMs; $(curl -fsS "$url/api/v1/hsms?page=0&size=1" | head -c 300)"

# PAGES=1: always page 0 (the brief's GET /api/v1/hsms?page=0&size=20); PAGES=500 spreads the
# list requests over all pages of 10,000 HSMs (deep OFFSETs cost more, see docs/benchmarks.md).
pages="${PAGES:-1}"
run_wrk() { # mode delay_ms duration -> wrk output
  MODE="$1" HSMS="$HSMS" PAGES="$pages" DELAY_MS="$2" \
    wrk -t2 -c"$CONNECTIONS" -d"$3" --latency -s scripts/bench/paced.lua "$url"
}
rate_of() { awk '/^Requests\/sec:/{print $2}'; }

for mode in $MODES; do
  # Each connection waits DELAY_MS between requests: start from CONNECTIONS/RATE, then
  # correct twice by the achieved rate (response time and timer slack add to the delay).
  delay=$(awk -v c="$CONNECTIONS" -v r="$RATE" 'BEGIN{printf "%.2f", c*1000/r}')
  log "$mode: warm-up 15s"
  run_wrk "$mode" "$delay" 15s >/dev/null
  for _ in 1 2; do
    got=$(run_wrk "$mode" "$delay" 10s | rate_of)
    delay=$(awk -v d="$delay" -v g="$got" -v r="$RATE" 'BEGIN{n=d*g/r; if(n<0.1)n=0.1; printf "%.2f", n}')
    log "$mode: calibration: $got req/s -> delay ${delay} ms per connection"
  done
  echo "=== $mode: wrk -t2 -c$CONNECTIONS -d$DURATION --latency -s scripts/bench/paced.lua (MODE=$mode DELAY_MS=$delay HSMS=$HSMS PAGES=$pages) $url"
  run_wrk "$mode" "$delay" "$DURATION"
done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
