#!/usr/bin/env bash
# Single-machine TEE Ledger devnet: one CometBFT v0.38.25 validator in front of
# the abci-app, with 2-of-3 governance keys generated on first start.
#
#   scripts/devnet.sh up       install, build, start (or resume) in the background
#   scripts/devnet.sh down     stop exactly the processes `up` started
#   scripts/devnet.sh status   processes, height and endpoints
#   scripts/devnet.sh logs     follow both logs
#   scripts/devnet.sh reset    stop and delete all devnet state
#
# State lives in $TEELEDGER_DEVNET_DIR (default ./.devnet); `up` again resumes it.
# Ports (loopback): RPC 26657, P2P 26656, ABCI 26658, CometBFT metrics 26660,
# app metrics 26670. Override with DEVNET_RPC_PORT etc.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$TEELEDGER_ROOT"

DIR="${TEELEDGER_DEVNET_DIR:-$TEELEDGER_ROOT/.devnet}"
CHAIN_ID="${DEVNET_CHAIN_ID:-teeledger-devnet}"
RPC_PORT="${DEVNET_RPC_PORT:-26657}"
P2P_PORT="${DEVNET_P2P_PORT:-26656}"
ABCI_PORT="${DEVNET_ABCI_PORT:-26658}"
CMT_METRICS_PORT="${DEVNET_CMT_METRICS_PORT:-26660}"
APP_METRICS_PORT="${DEVNET_APP_METRICS_PORT:-26670}"

say() { printf '[devnet] %s\n' "$*"; }
die() { printf '[devnet] error: %s\n' "$*" >&2; exit 1; }

alive() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

build() {
  say "building abci-app (skipping tests)"
  ./mvnw -B -q --no-transfer-progress -pl abci-app -am -DskipTests package
}

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
  local app_state
  app_state=$(jq -n --arg k1 "${keys[0]}" --arg k2 "${keys[1]}" --arg k3 "${keys[2]}" \
    '{governance: {threshold: 2, keys: [$k1, $k2, $k3]}, params: {}}')
  jq --arg id "$CHAIN_ID" --argjson s "$app_state" '.chain_id = $id | .app_state = $s' \
    "$home/config/genesis.json" > "$home/config/genesis.tmp" && mv "$home/config/genesis.tmp" "$home/config/genesis.json"
  local cfg="$home/config/config.toml"
  sed -i \
    -e "s|^proxy_app = .*|proxy_app = \"tcp://127.0.0.1:$ABCI_PORT\"|" \
    -e "s|^moniker = .*|moniker = \"teeledger-devnet\"|" \
    -e "s|^prometheus = .*|prometheus = true|" \
    -e "s|^prometheus_listen_addr = .*|prometheus_listen_addr = \"127.0.0.1:$CMT_METRICS_PORT\"|" \
    "$cfg"
  # laddr appears in several sections: edit the [rpc] and [p2p] ones only.
  awk -v rpc="tcp://127.0.0.1:$RPC_PORT" -v p2p="tcp://127.0.0.1:$P2P_PORT" '
    /^\[/ { section = $0 }
    /^laddr = / && section == "[rpc]" { print "laddr = \"" rpc "\""; next }
    /^laddr = / && section == "[p2p]" { print "laddr = \"" p2p "\""; next }
    { print }' "$cfg" > "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
  say "governance keys (2-of-3) written to $DIR/governance/"
}

start_app() {
  alive app && { say "abci-app already running (pid $(cat "$DIR/app.pid"))"; return; }
  local cp
  cp="$(cat abci-app/target/classpath.txt):$(ls abci-app/target/abci-app-*.jar | head -1)"
  nohup java -Xmx1g -cp "$cp" dev.teeledger.abci.LedgerNode --home "$DIR/app" \
    --abci "tcp://127.0.0.1:$ABCI_PORT" --metrics "127.0.0.1:$APP_METRICS_PORT" \
    >>"$DIR/app.log" 2>&1 </dev/null &
  echo $! > "$DIR/app.pid"
  say "abci-app started (pid $!)"
}

start_comet() {
  alive cometbft && { say "cometbft already running (pid $(cat "$DIR/cometbft.pid"))"; return; }
  nohup cometbft start --home "$DIR/cometbft" >>"$DIR/cometbft.log" 2>&1 </dev/null &
  echo $! > "$DIR/cometbft.pid"
  say "cometbft started (pid $!)"
}

height() {
  curl -fsS "http://127.0.0.1:$RPC_PORT/status" 2>/dev/null | jq -r '.result.sync_info.latest_block_height' 2>/dev/null || echo 0
}

wait_blocks() {
  say "waiting for the first blocks"
  for _ in $(seq 1 120); do
    local h; h=$(height)
    if [ "${h:-0}" != "null" ] && [ "${h:-0}" -ge 2 ] 2>/dev/null; then say "chain at height $h"; return; fi
    alive cometbft || die "cometbft exited; see $DIR/cometbft.log"
    alive app || die "abci-app exited; see $DIR/app.log"
    sleep 1
  done
  die "no blocks after 120 s; see $DIR/cometbft.log and $DIR/app.log"
}

endpoints() {
  cat <<EOT
  chain id          $CHAIN_ID
  CometBFT RPC      http://127.0.0.1:$RPC_PORT   (e.g. /status, /abci_query?path="/gov/keys"&prove=true)
  CometBFT metrics  http://127.0.0.1:$CMT_METRICS_PORT/metrics
  app metrics       http://127.0.0.1:$APP_METRICS_PORT/metrics
  governance keys   $DIR/governance/gov{1,2,3}.pem (threshold 2)
  logs              $DIR/app.log, $DIR/cometbft.log   (scripts/devnet.sh logs)
  stop              scripts/devnet.sh down
EOT
}

stop_one() {
  local name=$1
  if alive "$name"; then
    local pid; pid=$(cat "$DIR/$name.pid")
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    say "stopped $name (pid $pid)"
  fi
  rm -f "$DIR/$name.pid"
}

case "${1:-}" in
  up)
    bash scripts/install-deps.sh
    build
    mkdir -p "$DIR"
    init_chain
    start_app
    start_comet
    wait_blocks
    say "devnet is up:"
    endpoints
    ;;
  down)
    stop_one cometbft
    stop_one app
    ;;
  status)
    for n in cometbft app; do
      if alive $n; then echo "  $n running (pid $(cat "$DIR/$n.pid"))"; else echo "  $n stopped"; fi
    done
    echo "  height $(height)"
    endpoints
    ;;
  logs)
    exec tail -n 50 -F "$DIR/cometbft.log" "$DIR/app.log"
    ;;
  reset)
    "$0" down
    rm -rf "$DIR"
    say "deleted $DIR"
    ;;
  *)
    sed -n '2,14p' "$0"
    exit 2
    ;;
esac
