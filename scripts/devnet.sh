#!/usr/bin/env bash
# Single-machine TEE Ledger devnet: the whole system on loopback.
#
#   scripts/devnet.sh up [--no-build]   install, build, start (or resume) everything in the background
#   scripts/devnet.sh down              stop exactly the processes `up` started (by recorded pid)
#   scripts/devnet.sh status            processes, height, HSM states and endpoints
#   scripts/devnet.sh logs [name]       follow the logs (all, or one: app, cometbft, kafka, registry, hsm0-agent, ...)
#   scripts/devnet.sh demo-attack       an HSM with unapproved firmware joins; manufacturer "beta" is revoked
#   scripts/devnet.sh reset             stop and delete all devnet state
#
# What runs: CometBFT v0.38.25 + abci-app (devnet genesis: 2-of-3 governance PEM keys, frequent
# rounds, a low credit cap), PostgreSQL 17 (embedded, zonky, via testkit's DevPostgresMain),
# a Kafka 4.1.2 KRaft broker (separate JVM), the chain indexer, registry-service, credit-service,
# attestation-service, and DEVNET_HSMS (default 5) HSMs: each one swtpm whose EK
# certificate comes from a local manufacturer CA (swtpm_localca), one tpm-sidecar and one verifier
# agent. Governance (through cli/target/teeledger.jar) registers the CAs, approves the measured
# firmware, joins the HSMs and bootstraps the first four as verifiers; rounds then run by themselves.
#
# State lives in $TEELEDGER_DEVNET_DIR (default ./.devnet); `up` again resumes it. Every port can
# be overridden (DEVNET_*_PORT, see docs/operations.md); DEVNET_SKIP_BUILD=1 (or --no-build) uses
# the jars already built, DEVNET_SKIP_DEPS=1 skips scripts/install-deps.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$TEELEDGER_ROOT"

DIR="${TEELEDGER_DEVNET_DIR:-$TEELEDGER_ROOT/.devnet}"
case "$DIR" in /*) ;; *) DIR="$TEELEDGER_ROOT/$DIR" ;; esac
CHAIN_ID="${DEVNET_CHAIN_ID:-teeledger-devnet}"
RPC_PORT="${DEVNET_RPC_PORT:-26657}"
P2P_PORT="${DEVNET_P2P_PORT:-26656}"
ABCI_PORT="${DEVNET_ABCI_PORT:-26658}"
CMT_METRICS_PORT="${DEVNET_CMT_METRICS_PORT:-26660}"
APP_METRICS_PORT="${DEVNET_APP_METRICS_PORT:-26670}"
PG_PORT="${DEVNET_PG_PORT:-15432}"
KAFKA_PORT="${DEVNET_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${DEVNET_KAFKA_CONTROLLER_PORT:-19093}"
REGISTRY_PORT="${DEVNET_REGISTRY_PORT:-8080}"
CREDIT_PORT="${DEVNET_CREDIT_PORT:-8081}"
ATTESTATION_PORT="${DEVNET_ATTESTATION_PORT:-8082}"
SIDECAR_BASE_PORT="${DEVNET_SIDECAR_BASE_PORT:-8090}"          # HSM i: SIDECAR_BASE_PORT + i
AGENT_METRICS_BASE_PORT="${DEVNET_AGENT_METRICS_BASE_PORT:-9490}" # HSM i: AGENT_METRICS_BASE_PORT + i
SWTPM_BASE_PORT="${DEVNET_SWTPM_BASE_PORT:-23210}"              # HSM i: data + 2i, control + 2i + 1
HSMS="${DEVNET_HSMS:-5}"                                        # HSMs 0..3 manufacturer alpha, 4.. beta
ROGUE=9                                                          # demo-attack's HSM index
# Devnet genesis parameters (docs/attestation.md, docs/credits.md): rounds every 30 blocks per
# HSM, a 12-block window, committee and quorum sized for a handful of verifiers, a cap that the
# activation grants overshoot so normalization happens within minutes.
PARAM_PERIOD="${DEVNET_ATTESTATION_PERIOD:-30}"
PARAM_WINDOW="${DEVNET_ATTESTATION_WINDOW:-12}"
PARAM_CAP="${DEVNET_CREDIT_CAP:-3000000}"
PARAM_NORM_INTERVAL="${DEVNET_NORMALIZATION_INTERVAL:-20}"
JAVA_OPTS_COMMON="${DEVNET_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:CICompilerCount=1}"
ATTESTATION_OPTS="${DEVNET_ATTESTATION_OPTS:-}"

CLI_JAR="$TEELEDGER_ROOT/cli/target/teeledger.jar"
SIDECAR_JAR="$TEELEDGER_ROOT/tpm-sidecar/target/quarkus-app/quarkus-run.jar"
REGISTRY_JAR="$TEELEDGER_ROOT/registry-service/target/quarkus-app/quarkus-run.jar"
CREDIT_JAR="$TEELEDGER_ROOT/credit-service/target/quarkus-app/quarkus-run.jar"
ATTESTATION_JAR="$TEELEDGER_ROOT/attestation-service/target/quarkus-app/quarkus-run.jar"
RPC="http://127.0.0.1:$RPC_PORT"
GENESIS="$DIR/cometbft/config/genesis.json"

say() { printf '[devnet %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[devnet] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- processes (by recorded pid)

pidfile() { echo "$DIR/pids/$1.pid"; }
# A recorded pid counts only while that process still carries the devnet directory on its
# command line, so a pid reused by an unrelated process is never signalled.
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$DIR"; }
alive() { local f; f=$(pidfile "$1"); [ -f "$f" ] && ours "$(cat "$f")"; }
pid_of() { cat "$(pidfile "$1")"; }

# start NAME LOG CMD...: runs CMD in the background (stdin closed, output appended to LOG).
start() {
  local name=$1 log=$2; shift 2
  if alive "$name"; then say "$name already running (pid $(pid_of "$name"))"; return; fi
  mkdir -p "$DIR/pids" "$(dirname "$log")"
  nohup "$@" >>"$log" 2>&1 </dev/null &
  echo $! > "$(pidfile "$name")"
  say "started $name (pid $!)"
}

# stop_group NAME...: SIGTERM to every named process at once, then waits (15 s) for all of
# them; survivors get SIGKILL. Groups are stopped in dependency order by `down`.
stop_group() {
  local name f pid pids=() names=()
  for name in "$@"; do
    f=$(pidfile "$name")
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if ours "$pid"; then kill "$pid" 2>/dev/null || true; pids+=("$pid"); names+=("$name"); fi
  done
  local i left
  for _ in $(seq 1 60); do
    left=0
    for pid in "${pids[@]}"; do ours "$pid" && left=1; done
    [ $left = 0 ] && break
    sleep 0.25
  done
  for i in "${!pids[@]}"; do
    if ours "${pids[$i]}"; then kill -9 "${pids[$i]}" 2>/dev/null || true; say "killed ${names[$i]} (pid ${pids[$i]}, SIGKILL)"
    else say "stopped ${names[$i]} (pid ${pids[$i]})"; fi
  done
  for name in "$@"; do
    f=$(pidfile "$name")
    if [ -f "$f" ] && ! ours "$(cat "$f")"; then rm -f "$f"; fi
  done
  return 0
}

stop_one() { stop_group "$1"; }

java_bin() { echo "${JAVA_HOME:+$JAVA_HOME/bin/}java"; }

# ---------------------------------------------------------------- waiting

height() {
  curl -fsS --max-time 2 "$RPC/status" 2>/dev/null | jq -r '.result.sync_info.latest_block_height // 0' 2>/dev/null || echo 0
}

# wait_for WHAT SECONDS PROCESS-NAME LOG CHECK...: polls CHECK until it succeeds; dies with the
# log tail when the process exits or time runs out.
wait_for() {
  local what=$1 secs=$2 proc=$3 log=$4; shift 4
  local end=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    if [ -n "$proc" ] && ! alive "$proc"; then
      tail -n 40 "$log" >&2 || true
      die "$proc exited while waiting for $what; see $log"
    fi
    if [ $SECONDS -ge $end ]; then
      tail -n 40 "$log" >&2 || true
      die "timed out after ${secs}s waiting for $what; see $log"
    fi
    sleep 1
  done
}

http_ok() { curl -fsS --max-time 3 -o /dev/null "$1"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
chain_at_least() { local h; h=$(height); [ "${h:-0}" -ge "$1" ] 2>/dev/null; }

# ---------------------------------------------------------------- build

build() {
  local modules="abci-app,chain-indexer,testkit,registry-service,credit-service,attestation-service,tpm-sidecar,verifier-agent,cli"
  say "building $modules (skipping tests; a few minutes the first time)"
  ./mvnw -B -q --no-transfer-progress -pl "$modules" -am -DskipTests package
}

check_built() {
  local f
  for f in abci-app/target/classpath.txt chain-indexer/target/classpath.txt testkit/target/classpath.txt \
      verifier-agent/target/classpath.txt "$CLI_JAR" "$SIDECAR_JAR" "$REGISTRY_JAR" "$CREDIT_JAR" "$ATTESTATION_JAR"; do
    [ -e "$f" ] || die "$f is missing: build first (scripts/devnet.sh up without --no-build)"
  done
}

module_cp() { echo "$(cat "$1/target/classpath.txt"):$(ls "$1"/target/"$1"-*.jar | grep -v -- '-sources\|-tests' | head -1)"; }

# ---------------------------------------------------------------- chain

init_chain() {
  local home="$DIR/cometbft"
  [ -f "$home/config/genesis.json" ] && return
  say "initialising chain $CHAIN_ID in $DIR"
  mkdir -p "$DIR/governance" "$DIR/app"
  cometbft init --home "$home" >/dev/null
  local keys=()
  for i in 1 2 3; do
    openssl genpkey -algorithm ed25519 -out "$DIR/governance/gov$i.pem" 2>/dev/null
    chmod 600 "$DIR/governance/gov$i.pem"
    keys+=("$(openssl pkey -in "$DIR/governance/gov$i.pem" -pubout -outform DER | tail -c 32 | base64 -w0)")
  done
  local params app_state
  params=$(jq -n --arg period "$PARAM_PERIOD" --arg window "$PARAM_WINDOW" --arg cap "$PARAM_CAP" \
      --arg interval "$PARAM_NORM_INTERVAL" '{
        "attestation.period": $period, "attestation.window": $window,
        "attestation.committee_size": "16", "attestation.quorum_bps": "1500",
        "attestation.max_retries": "5", "attestation.absence_tolerance": "1000",
        "credit.cap": $cap, "credit.normalization_interval": $interval}')
  app_state=$(jq -n --arg k1 "${keys[0]}" --arg k2 "${keys[1]}" --arg k3 "${keys[2]}" --argjson p "$params" \
    '{governance: {threshold: 2, keys: [$k1, $k2, $k3]}, params: $p}')
  jq --arg id "$CHAIN_ID" --argjson s "$app_state" '.chain_id = $id | .app_state = $s' \
    "$home/config/genesis.json" > "$home/config/genesis.tmp" && mv "$home/config/genesis.tmp" "$home/config/genesis.json"
  local cfg="$home/config/config.toml"
  sed -i \
    -e "s|^proxy_app = .*|proxy_app = \"tcp://127.0.0.1:$ABCI_PORT\"|" \
    -e "s|^moniker = .*|moniker = \"teeledger-devnet\"|" \
    -e "s|^prometheus = .*|prometheus = true|" \
    -e "s|^prometheus_listen_addr = .*|prometheus_listen_addr = \"127.0.0.1:$CMT_METRICS_PORT\"|" \
    -e "s|^timeout_commit = .*|timeout_commit = \"1s\"|" \
    -e "s|^addr_book_strict = .*|addr_book_strict = false|" \
    "$cfg"
  # laddr appears in several sections: edit the [rpc] and [p2p] ones only.
  awk -v rpc="tcp://127.0.0.1:$RPC_PORT" -v p2p="tcp://127.0.0.1:$P2P_PORT" '
    /^\[/ { section = $0 }
    /^laddr = / && section == "[rpc]" { print "laddr = \"" rpc "\""; next }
    /^laddr = / && section == "[p2p]" { print "laddr = \"" p2p "\""; next }
    { print }' "$cfg" > "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
  say "genesis: 2-of-3 governance keys in $DIR/governance/, attestation.period $PARAM_PERIOD, credit.cap $PARAM_CAP"
}

start_chain() {
  # shellcheck disable=SC2086
  start app "$DIR/logs/app.log" "$(java_bin)" -Xmx384m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -cp "$(module_cp abci-app)" dev.teeledger.abci.LedgerNode --home "$DIR/app" \
    --abci "tcp://127.0.0.1:$ABCI_PORT" --metrics "127.0.0.1:$APP_METRICS_PORT"
  start cometbft "$DIR/logs/cometbft.log" cometbft start --home "$DIR/cometbft"
}

# ---------------------------------------------------------------- PostgreSQL and Kafka

start_postgres() {
  mkdir -p "$DIR/postgres"
  # A fresh log per start: `up` waits for this run's READY line.
  alive postgres || { [ -f "$DIR/logs/postgres.log" ] && mv "$DIR/logs/postgres.log" "$DIR/logs/postgres.log.prev"; } || true
  # shellcheck disable=SC2086
  start postgres "$DIR/logs/postgres.log" "$(java_bin)" -Xmx64m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -cp "$(module_cp testkit)" dev.teeledger.testkit.postgres.DevPostgresMain "$DIR/postgres/data" "$PG_PORT" \
    registry credit attestation
}

start_kafka() {
  local kdir="$DIR/kafka" cp
  cp="$(cat testkit/target/classpath.txt)"
  mkdir -p "$kdir"
  if [ ! -f "$kdir/server.properties" ]; then
    cat > "$kdir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$kdir/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=-1
EOF
    local uuid  # a Kafka cluster id: 16 random bytes, base64url without padding
    uuid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    say "formatting Kafka storage (cluster $uuid)"
    "$(java_bin)" -Xmx128m -cp "$cp" kafka.tools.StorageTool format --cluster-id="$uuid" -c "$kdir/server.properties" \
      >>"$DIR/logs/kafka.log" 2>&1 || die "Kafka storage format failed; see $DIR/logs/kafka.log"
  fi
  # shellcheck disable=SC2086
  start kafka "$DIR/logs/kafka.log" "$(java_bin)" -Xmx384m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -Dlog4j2.configurationFile="$kdir/log4j2.properties" -cp "$cp" kafka.Kafka "$kdir/server.properties"
}

write_kafka_logging() {
  [ -f "$DIR/kafka/log4j2.properties" ] && return
  mkdir -p "$DIR/kafka"
  cat > "$DIR/kafka/log4j2.properties" <<'EOF'
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = INFO
EOF
}

start_indexer() {
  # shellcheck disable=SC2086
  start indexer "$DIR/logs/indexer.log" "$(java_bin)" -Xmx128m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -Dteeledger.indexer.rpc-url="$RPC" -Dteeledger.indexer.kafka.bootstrap-servers="127.0.0.1:$KAFKA_PORT" \
    -Dteeledger.indexer.id=devnet -Dteeledger.indexer.poll-interval=PT1S \
    -cp "$(module_cp chain-indexer)" dev.teeledger.indexer.IndexerMain
}

# ---------------------------------------------------------------- services

# service NAME JAR PORT DB EXTRA...: a packaged Quarkus service against the devnet's chain, Kafka and PostgreSQL.
start_service() {
  local name=$1 jar=$2 port=$3 db=$4; shift 4
  local upper; upper=$(echo "$name" | tr a-z A-Z)
  # shellcheck disable=SC2086
  env "${upper}_DB_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$db" "${upper}_DB_USER=postgres" "${upper}_DB_PASSWORD=postgres" \
    KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
    "$(java_bin)" -Xmx256m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$PG_PORT/$db" \
    -Dquarkus.datasource.username=postgres -Dquarkus.datasource.password=postgres \
    -Dkafka.bootstrap.servers="127.0.0.1:$KAFKA_PORT" \
    -Dteeledger.chain.rpc-url="$RPC" -Dteeledger.chain.id="$CHAIN_ID" -Dteeledger.chain.genesis-file="$GENESIS" \
    "$@" -jar "$jar" >>"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! > "$(pidfile "$name")"
  say "started $name (pid $!, port $port)"
}

start_services() {
  alive registry || start_service registry "$REGISTRY_JAR" "$REGISTRY_PORT" registry
  alive credit || start_service credit "$CREDIT_JAR" "$CREDIT_PORT" credit
  # shellcheck disable=SC2086
  alive attestation || start_service attestation "$ATTESTATION_JAR" "$ATTESTATION_PORT" attestation $ATTESTATION_OPTS
}

# ---------------------------------------------------------------- HSMs

hsm_dir() { echo "$DIR/hsm/hsm$1"; }
hsm_ca() { if [ "$1" -ge 4 ] && [ "$1" != "$ROGUE" ]; then echo beta; else echo alpha; fi; }
sidecar_url() { echo "http://127.0.0.1:$((SIDECAR_BASE_PORT + $1))"; }

# A private swtpm_localca per manufacturer (the packaged defaults write to a system directory).
init_ca() {
  local ca="$DIR/ca/$1"
  [ -f "$ca/setup.conf" ] && return
  mkdir -p "$ca"
  cat > "$ca/localca.conf" <<EOF
statedir = $ca
signingkey = $ca/signkey.pem
issuercert = $ca/issuercert.pem
certserial = $ca/certserial
EOF
  printf -- '--platform-manufacturer DevnetVendor-%s\n--platform-version 1.0\n--platform-model DevnetHSM\n' "$1" > "$ca/localca.options"
  cat > "$ca/setup.conf" <<EOF
create_certs_tool = swtpm_localca
create_certs_tool_config = $ca/localca.conf
create_certs_tool_options = $ca/localca.options
active_pcr_banks = sha256
EOF
}

ca_der() { # ca_der CA root|intermediate -> DER file path (created once)
  local ca="$DIR/ca/$1"
  if [ ! -f "$ca/root.der" ]; then
    openssl x509 -in "$ca/swtpm-localca-rootca-cert.pem" -outform DER -out "$ca/root.der"
    openssl x509 -in "$ca/issuercert.pem" -outform DER -out "$ca/intermediate.der"
  fi
  if [ "$2" = root ]; then echo "$ca/root.der"; else echo "$ca/intermediate.der"; fi
}

manufacturer_id() { openssl x509 -inform DER -in "$(ca_der "$1" root)" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64; }

firmware_files() {
  mkdir -p "$DIR/firmware"
  [ -f "$DIR/firmware/hsm-fw-1.0.bin" ] || printf 'teeledger devnet hsm firmware 1.0\n' > "$DIR/firmware/hsm-fw-1.0.bin"
  [ -f "$DIR/firmware/policy-1.wasm" ] || printf 'teeledger devnet policy module 1\n' > "$DIR/firmware/policy-1.wasm"
  [ -f "$DIR/firmware/hsm-fw-0.9-tampered.bin" ] || printf 'teeledger devnet hsm firmware 0.9, tampered, never approved\n' > "$DIR/firmware/hsm-fw-0.9-tampered.bin"
}

provision_hsm() {
  local i=$1 d ca
  d=$(hsm_dir "$i"); ca=$(hsm_ca "$i")
  [ -f "$d/state/tpm2-00.permall" ] && return
  init_ca "$ca"
  mkdir -p "$d/state"
  say "hsm$i: swtpm_setup with an EK certificate from manufacturer CA '$ca'"
  swtpm_setup --tpm2 --tpmstate "$d/state" --config "$DIR/ca/$ca/setup.conf" --create-ek-cert --lock-nvram \
    --pcr-banks sha256 >"$d/swtpm_setup.log" 2>&1 || { cat "$d/swtpm_setup.log" >&2; die "swtpm_setup failed for hsm$i"; }
}

start_hsm() {
  local i=$1 d port fw
  d=$(hsm_dir "$i"); port=$((SWTPM_BASE_PORT + 2 * i))
  start "hsm$i-swtpm" "$d/swtpm.out" swtpm socket --tpm2 --tpmstate "dir=$d/state" \
    --server "type=tcp,port=$port,bindaddr=127.0.0.1" --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
    --flags not-need-init,startup-clear --log "file=$d/swtpm.log,level=1"
  wait_for "hsm$i's swtpm on port $port" 30 "hsm$i-swtpm" "$d/swtpm.out" port_open "$port"
  fw="$DIR/firmware/hsm-fw-1.0.bin"
  [ "$i" = "$ROGUE" ] && fw="$DIR/firmware/hsm-fw-0.9-tampered.bin"
  # shellcheck disable=SC2086
  start "hsm$i-sidecar" "$d/sidecar.log" "$(java_bin)" -Xmx128m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$((SIDECAR_BASE_PORT + i))" \
    -Dteeledger.sidecar.endpoint="$(sidecar_url "$i")" \
    -Dteeledger.sidecar.tpm.port="$port" -Dteeledger.sidecar.state-dir="$d/sidecar-state" \
    -Dteeledger.sidecar.chain-id="$CHAIN_ID" \
    -Dteeledger.sidecar.intermediate-files="$(ca_der "$(hsm_ca "$i")" intermediate)" \
    -Dteeledger.sidecar.measurement.firmware="$fw" -Dteeledger.sidecar.measurement.wasm="$DIR/firmware/policy-1.wasm" \
    -jar "$SIDECAR_JAR"
}

start_agent() {
  local i=$1
  # shellcheck disable=SC2086
  start "hsm$i-agent" "$(hsm_dir "$i")/agent.log" "$(java_bin)" -Xmx96m $JAVA_OPTS_COMMON -Dteeledger.devnet="$DIR" \
    -Dteeledger.agent.chain-id="$CHAIN_ID" -Dteeledger.agent.rpc="$RPC" -Dteeledger.agent.sidecar="$(sidecar_url "$i")" \
    -Dteeledger.agent.poll-interval=PT0.5S -Dteeledger.agent.metrics-port="$((AGENT_METRICS_BASE_PORT + i))" \
    -cp "$(module_cp verifier-agent)" dev.teeledger.agent.Main
}

hsm_indices() {
  local i
  for d in "$DIR"/hsm/hsm*; do [ -d "$d" ] && { i=${d##*/hsm}; echo "$i"; }; done | sort -n
}

# ---------------------------------------------------------------- governance through the CLI

cli() {
  # shellcheck disable=SC2086
  "$(java_bin)" -Xmx128m $JAVA_OPTS_COMMON -jar "$CLI_JAR" "$@"
}

gov_pub() { openssl pkey -in "$DIR/governance/gov$1.pem" -pubout -outform DER | tail -c 32 | base64 -w0; }

# The governance nonce the next proposal must carry (AccountNonce{next = 1} at /gov/nonce; absent = 0).
gov_nonce() {
  local v
  v=$(curl -fsS --max-time 5 "$RPC/abci_query?path=%22/gov/nonce%22" | jq -r '.result.response.value // ""')
  if [ -z "$v" ]; then echo 0; return; fi
  base64 -d <<<"$v" | od -An -tu1 | awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
    END { if (n == 0 || b[0] != 8) { print 0; exit } v = 0; m = 1
          for (i = 1; i < n; i++) { v += (b[i] % 128) * m; m *= 128; if (b[i] < 128) break } print v }'
}

# prepare FILE NONCE KIND ARGS...: proposes KIND with an explicit nonce and co-signs it with
# governance keys 1 and 2 (the threshold). Several run in parallel; `submit` sends them in order.
prepare() {
  local f=$1 nonce=$2 kind=$3; shift 3
  cli gov propose "$kind" --chain-id "$CHAIN_ID" --nonce "$nonce" --signer "$(gov_pub 1)" --signer "$(gov_pub 2)" \
    "$@" --out "$f" >/dev/null
  cli gov sign "$f" --key "$DIR/governance/gov1.pem" --key "$DIR/governance/gov2.pem" >/dev/null
}

# gov_batch NAME: runs the queued proposals (GOV_QUEUE, one "KIND ARGS..." per element) with
# consecutive nonces: prepared in parallel, submitted in order by one CLI process.
GOV_QUEUE=()
gov_batch() {
  local name=$1 n i files=() pids=()
  [ ${#GOV_QUEUE[@]} -gt 0 ] || return 0
  n=$(gov_nonce)
  mkdir -p "$DIR/proposals"
  for i in "${!GOV_QUEUE[@]}"; do
    local f="$DIR/proposals/$name-$((n + i)).json"
    files+=("$f")
    # shellcheck disable=SC2086
    prepare "$f" $((n + i)) ${GOV_QUEUE[$i]} > "$f.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "${files[$i]}.log" >&2; die "preparing proposal ${GOV_QUEUE[$i]} failed"; }
  done
  cli gov submit --rpc "$RPC" "${files[@]}" | sed 's/^/    /'
  GOV_QUEUE=()
}

# gov KIND ARGS...: one governance transaction, proposed, co-signed and submitted.
gov() {
  GOV_QUEUE=("$*")
  gov_batch "$1"
}

join_hsm() {
  local i=$1 d out
  d=$(hsm_dir "$i")
  [ -f "$d/id" ] && return
  out=$(cli hsm join --sidecar "$(sidecar_url "$i")" --chain-id "$CHAIN_ID" --rpc "$RPC") \
    || die "hsm$i join failed: $out"
  awk '{print $2}' <<<"$out" > "$d/id"
  say "hsm$i ($(hsm_ca "$i")) joined: $out"
}

wait_sidecar() {
  wait_for "hsm$1's sidecar (TPM provisioned)" 180 "hsm$1-sidecar" "$(hsm_dir "$1")/sidecar.log" \
    http_ok "$(sidecar_url "$1")/q/health/ready"
}

bootstrap_governance() {
  [ -f "$DIR/bootstrap.done" ] && return
  local h from i
  if [ ! -f "$DIR/bootstrap.firmware" ]; then
    # A window must start ahead of the including block (the mempool re-check evicts one already started).
    h=$(height); from=$((h + ${DEVNET_FIRMWARE_LEAD_BLOCKS:-40})); echo "$from" > "$DIR/firmware/valid_from"
    say "governance: approving firmware hsm-fw 1.0 and policy 1 from height $from"
    GOV_QUEUE=("firmware-approve --component hsm-fw --version 1.0 --sha256 $(sha256sum "$DIR/firmware/hsm-fw-1.0.bin" | cut -c1-64) --from $from"
               "firmware-approve --component policy --version 1 --sha256 $(sha256sum "$DIR/firmware/policy-1.wasm" | cut -c1-64) --from $from")
    gov_batch firmware
    touch "$DIR/bootstrap.firmware"
  fi
  if [ ! -f "$DIR/bootstrap.registry" ]; then
    say "governance: registering manufacturer CAs"
    GOV_QUEUE=("manufacturer-add --name devnet-alpha --root $(ca_der alpha root) --intermediate $(ca_der alpha intermediate)")
    if [ "$HSMS" -gt 4 ]; then
      GOV_QUEUE+=("manufacturer-add --name devnet-beta --root $(ca_der beta root) --intermediate $(ca_der beta intermediate)")
    fi
    gov_batch registry
    touch "$DIR/bootstrap.registry"
  fi
  local first=()
  for i in 0 1 2 3; do [ "$i" -lt "$HSMS" ] && first+=("$i"); done
  for i in "${first[@]}"; do wait_sidecar "$i"; done
  say "joining hsm${first[*]} (hsm join --sidecar, signed by each node key in its TPM)"
  local pids=()
  for i in "${first[@]}"; do join_hsm "$i" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || die "a join failed"; done
  # Bootstrap once the firmware window is open: an ACTIVE HSM's periodic round before it would
  # find its firmware unapproved and suspend it.
  wait_for "the firmware window to open (height $(cat "$DIR/firmware/valid_from"))" 240 cometbft "$DIR/logs/cometbft.log" \
    chain_at_least "$(cat "$DIR/firmware/valid_from")"
  if [ ! -f "$DIR/bootstrap.verifiers" ]; then
    say "governance: bootstrapping hsm${first[*]} as the first verifiers"
    for i in "${first[@]}"; do
      GOV_QUEUE+=("bootstrap --id $(cat "$(hsm_dir "$i")/id") --reason devnet-first-verifier")
    done
    gov_batch bootstrap
    touch "$DIR/bootstrap.verifiers"
  fi
  if [ "$HSMS" -gt 4 ]; then
    for i in $(seq 4 $((HSMS - 1))); do wait_sidecar "$i"; join_hsm "$i"; done
  fi
  touch "$DIR/bootstrap.done"
}

# ---------------------------------------------------------------- commands

endpoints() {
  cat <<EOT
  chain id            $CHAIN_ID
  CometBFT RPC        $RPC   (/status, /abci_query?path="/gov/keys"&prove=true)
  CometBFT metrics    http://127.0.0.1:$CMT_METRICS_PORT/metrics
  app metrics         http://127.0.0.1:$APP_METRICS_PORT/metrics   (teeledger_attestation_rounds_total{outcome}, ...)
  registry-service    http://127.0.0.1:$REGISTRY_PORT/api/v1/hsms   Swagger UI http://127.0.0.1:$REGISTRY_PORT/q/swagger-ui   metrics /q/metrics
  credit-service      http://127.0.0.1:$CREDIT_PORT/api/v1/credit/normalizations   Swagger UI http://127.0.0.1:$CREDIT_PORT/q/swagger-ui   metrics /q/metrics
  attestation-service http://127.0.0.1:$ATTESTATION_PORT/api/v1/rounds   dashboard http://127.0.0.1:$ATTESTATION_PORT/dashboard/   Swagger UI /q/swagger-ui
  Kafka               127.0.0.1:$KAFKA_PORT   (topics teeledger.*)
  PostgreSQL          127.0.0.1:$PG_PORT   (user/password postgres; databases registry, credit, attestation)
EOT
  local i
  for i in $(hsm_indices); do
    printf '  hsm%-2s %-6s sidecar %s  agent metrics http://127.0.0.1:%s/metrics  id %s\n' "$i" "$(hsm_ca "$i")" \
      "$(sidecar_url "$i")" "$((AGENT_METRICS_BASE_PORT + i))" "$(cat "$(hsm_dir "$i")/id" 2>/dev/null || echo '-')"
  done
  cat <<EOT
  governance keys     $DIR/governance/gov{1,2,3}.pem (threshold 2)
  CLI                 java -jar cli/target/teeledger.jar show hsm <id> --verified --rpc $RPC --genesis $GENESIS
  logs                $DIR/logs/, $DIR/hsm/hsm*/   (scripts/devnet.sh logs [name])
  stop                scripts/devnet.sh down
EOT
}

# Stop order: agents, services and indexer, sidecars, Kafka and PostgreSQL, CometBFT, app, swtpms.
name_groups() {
  local i a="" s=""
  for i in $(hsm_indices); do a="$a hsm$i-agent"; s="$s hsm$i-sidecar"; done
  echo "$a"
  echo "attestation credit registry indexer"
  echo "$s"
  echo "kafka postgres"
  echo "cometbft"
  echo "app"
  s=""; for i in $(hsm_indices); do s="$s hsm$i-swtpm"; done
  echo "$s"
}

all_names() { name_groups | tr ' ' '\n' | grep -v '^$'; }

cmd_up() {
  local t0=$SECONDS no_build=${DEVNET_SKIP_BUILD:-0}
  [ "${1:-}" = "--no-build" ] && no_build=1
  [ "${DEVNET_SKIP_DEPS:-0}" = 1 ] || bash scripts/install-deps.sh
  [ "$no_build" = 1 ] || build
  check_built
  command -v cometbft >/dev/null || die "cometbft not found (scripts/install-deps.sh installs it)"
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/hsm"
  init_chain
  firmware_files
  write_kafka_logging
  local i
  for i in $(seq 0 $((HSMS - 1))); do provision_hsm "$i"; done
  [ -d "$(hsm_dir "$ROGUE")" ] && provision_hsm "$ROGUE"
  say "starting processes"
  start_chain
  start_postgres
  for i in $(hsm_indices); do start_hsm "$i"; done
  start_kafka
  wait_for "the first blocks" 180 cometbft "$DIR/logs/cometbft.log" chain_at_least 2
  alive app || die "abci-app exited; see $DIR/logs/app.log"
  say "chain at height $(height)"
  wait_for "Kafka on port $KAFKA_PORT" 120 kafka "$DIR/logs/kafka.log" port_open "$KAFKA_PORT"
  start_indexer
  wait_for "PostgreSQL on port $PG_PORT" 120 postgres "$DIR/logs/postgres.log" grep -q '^READY' "$DIR/logs/postgres.log"
  start_services
  # An agent starts once its own sidecar is ready (its init reads the identity, with bounded retries).
  for i in $(hsm_indices); do wait_sidecar "$i"; start_agent "$i"; done
  bootstrap_governance
  for n in registry credit; do
    local port=$REGISTRY_PORT; [ "$n" = credit ] && port=$CREDIT_PORT
    wait_for "$n-service readiness" 240 "$n" "$DIR/logs/$n.log" http_ok "http://127.0.0.1:$port/q/health/ready"
  done
  wait_for "attestation-service readiness" 240 attestation "$DIR/logs/attestation.log" \
    http_ok "http://127.0.0.1:$ATTESTATION_PORT/q/health/ready"
  for i in $(hsm_indices); do
    wait_for "hsm$i agent metrics" 120 "hsm$i-agent" "$(hsm_dir "$i")/agent.log" \
      http_ok "http://127.0.0.1:$((AGENT_METRICS_BASE_PORT + i))/metrics"
  done
  say "devnet is up in $((SECONDS - t0)) s at height $(height); rounds now run by themselves:"
  endpoints
}

cmd_down() {
  [ -d "$DIR/pids" ] || { say "nothing recorded in $DIR/pids"; return; }
  local n g left=()
  while read -r g; do
    # shellcheck disable=SC2086
    [ -n "$g" ] && stop_group $g
  done < <(name_groups)
  # Anything else recorded (e.g. from a different DEVNET_HSMS) goes too.
  for f in "$DIR"/pids/*.pid; do [ -f "$f" ] && stop_one "$(basename "$f" .pid)"; done
  for n in $(all_names); do alive "$n" && left+=("$n"); done
  # The embedded PostgreSQL server is a grandchild: its postmaster must be gone as well.
  local pm="$DIR/postgres/data/postmaster.pid"
  if [ -f "$pm" ] && kill -0 "$(head -1 "$pm")" 2>/dev/null && ours "$(head -1 "$pm")"; then left+=("postgres-server")
  fi
  [ ${#left[@]} -eq 0 ] || die "still running: ${left[*]}"
  say "all devnet processes stopped"
}

cmd_status() {
  local n
  for n in $(all_names); do
    if alive "$n"; then printf '  %-18s running (pid %s)\n' "$n" "$(pid_of "$n")"
    elif [ -f "$(pidfile "$n")" ]; then printf '  %-18s DEAD (see logs)\n' "$n"; fi
  done
  echo "  height $(height)"
  if http_ok "http://127.0.0.1:$REGISTRY_PORT/q/health/live" 2>/dev/null; then
    curl -fsS "http://127.0.0.1:$REGISTRY_PORT/api/v1/hsms?size=100" \
      | jq -r '.items[] | "  hsm \(.id[0:16])… \(.state)  manufacturer \(.manufacturer_id[0:12])…"' 2>/dev/null || true
  fi
  endpoints
}

cmd_logs() {
  if [ -n "${1:-}" ]; then
    local f
    case "$1" in hsm*-*) f="$(hsm_dir "$(echo "$1" | sed 's/^hsm\([0-9]*\)-.*/\1/')")/${1#*-}.log" ;; *) f="$DIR/logs/$1.log" ;; esac
    [ -f "$f" ] || die "no log $f"
    exec tail -n 100 -F "$f"
  fi
  exec tail -n 20 -F "$DIR"/logs/*.log "$DIR"/hsm/hsm*/agent.log
}

cmd_demo_attack() {
  alive app || die "the devnet is not running: scripts/devnet.sh up first"
  [ -f "$DIR/bootstrap.done" ] || die "the devnet is not bootstrapped yet"
  local rogue=$ROGUE beta
  say "1/2: HSM hsm$rogue (manufacturer alpha) measures a tampered firmware, hsm-fw-0.9-tampered.bin, never approved"
  provision_hsm "$rogue"
  start_hsm "$rogue"
  wait_sidecar "$rogue"
  start_agent "$rogue"
  join_hsm "$rogue"
  local rid; rid=$(cat "$(hsm_dir "$rogue")/id")
  if [ "$HSMS" -gt 4 ] && [ ! -f "$DIR/attack.revoked" ]; then
    beta=$(manufacturer_id beta)
    say "2/2: governance revokes manufacturer beta ($beta): its HSMs become untrusted"
    gov manufacturer-revoke --id "$beta" --reason devnet-demo-beta-signing-key-leaked
    touch "$DIR/attack.revoked"
  fi
  cat <<EOT
[devnet] what to watch:
  - hsm$rogue's join opens a round; the verifiers quote its TPM, replay the measurement log and find
    hsm-fw-0.9 off the allow-list: they vote FAIL / FIRMWARE_NOT_APPROVED, the round closes FAIL and
    hsm$rogue goes SUSPENDED (within about $PARAM_WINDOW blocks):
      curl -s http://127.0.0.1:$REGISTRY_PORT/api/v1/hsms/$rid | jq '{state, state_reason}'
      java -jar cli/target/teeledger.jar show hsm $rid --verified --rpc $RPC --genesis $GENESIS
      curl -s http://127.0.0.1:$APP_METRICS_PORT/metrics | grep teeledger_attestation_rounds_total
      grep -h FIRMWARE_NOT_APPROVED $DIR/hsm/hsm*/agent.log | tail
  - manufacturer beta is REVOKED; trust is derived on read (docs/registry.md), so every HSM it
    endorsed is untrusted at once without a state change, and governance can no longer request
    a round for them (code 613):
      curl -s 'http://127.0.0.1:$REGISTRY_PORT/api/v1/manufacturers/${beta:-$(manufacturer_id beta 2>/dev/null)}?verified=true' | jq
      curl -s 'http://127.0.0.1:$REGISTRY_PORT/api/v1/hsms?manufacturer=${beta:-$(manufacturer_id beta 2>/dev/null)}' | jq '.items[] | {id, state}'
EOT
  echo "      dashboard: http://127.0.0.1:$ATTESTATION_PORT/dashboard/"
  return 0
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  demo-attack) cmd_demo_attack ;;
  reset)
    cmd_down
    rm -rf "$DIR"
    say "deleted $DIR"
    ;;
  *)
    sed -n '2,21p' "$0"
    exit 2
    ;;
esac
