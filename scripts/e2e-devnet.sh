#!/usr/bin/env bash
# End-to-end test of the whole devnet (scripts/devnet.sh) through public APIs only: service REST
# endpoints, CometBFT RPC, the app's metrics and the CLI's light-client verified reads.
#
# Uses the jars already built (DEVNET_SKIP_BUILD=1): run after `./mvnw verify` or
# `./mvnw -pl abci-app,chain-indexer,testkit,registry-service,credit-service,tpm-sidecar,verifier-agent,cli -am package -DskipTests`.
# Starts the devnet in a temporary directory on free non-default ports, asserts, stops it and
# checks that no process is left. Every wait is bounded (in blocks and seconds); a failure prints
# what was expected and the tails of the relevant logs. E2E_KEEP=1 keeps the directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

T0=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/teeledger-e2e.XXXXXX")
export TEELEDGER_DEVNET_DIR="$WORK/devnet"
export DEVNET_SKIP_BUILD=1 DEVNET_SKIP_DEPS=1
export DEVNET_CHAIN_ID="teeledger-e2e"
DIR=$TEELEDGER_DEVNET_DIR
CAP=3000000
export DEVNET_CREDIT_CAP=$CAP

log() { printf '[e2e %3ds] %s\n' "$((SECONDS - T0))" "$*"; }

# ---- free ports: one block of 80 consecutive free loopback ports, away from the defaults
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_base() {
  local base i ok
  for _ in $(seq 1 50); do
    # Below Linux's default ephemeral range (32768-60999), so no outgoing connection takes one meanwhile.
    base=$((20000 + (RANDOM % 120) * 100))
    ok=1
    for i in $(seq 0 79); do port_free $((base + i)) || { ok=0; break; }; done
    [ $ok = 1 ] && { echo "$base"; return; }
  done
  echo "no free port block" >&2; exit 1
}
B=$(pick_base)
export DEVNET_RPC_PORT=$((B + 0)) DEVNET_P2P_PORT=$((B + 1)) DEVNET_ABCI_PORT=$((B + 2)) DEVNET_CMT_METRICS_PORT=$((B + 3))
export DEVNET_APP_METRICS_PORT=$((B + 4)) DEVNET_PG_PORT=$((B + 5)) DEVNET_KAFKA_PORT=$((B + 6)) DEVNET_KAFKA_CONTROLLER_PORT=$((B + 7))
export DEVNET_REGISTRY_PORT=$((B + 8)) DEVNET_CREDIT_PORT=$((B + 9)) DEVNET_ATTESTATION_PORT=$((B + 10))
export DEVNET_SIDECAR_BASE_PORT=$((B + 20)) DEVNET_AGENT_METRICS_BASE_PORT=$((B + 35)) DEVNET_SWTPM_BASE_PORT=$((B + 50))
RPC="http://127.0.0.1:$DEVNET_RPC_PORT"
REG="http://127.0.0.1:$DEVNET_REGISTRY_PORT/api/v1"
CRED="http://127.0.0.1:$DEVNET_CREDIT_PORT/api/v1/credit"
GENESIS="$DIR/cometbft/config/genesis.json"
CLI_JAR=cli/target/teeledger.jar

STOPPED=0
cleanup() {
  local rc=$?
  if [ $STOPPED = 0 ]; then scripts/devnet.sh down >/dev/null 2>&1 || true; fi
  if [ $rc = 0 ] && [ "${E2E_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "[e2e] devnet directory kept: $WORK" >&2; fi
}
trap cleanup EXIT

tails() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "----- last lines of $f" >&2
    tail -n 25 "$f" >&2
  done
}
fail() {
  echo "[e2e] FAILED after $((SECONDS - T0)) s: $1" >&2
  shift
  tails "$@"
  exit 1
}

height() { curl -fsS --max-time 3 "$RPC/status" | jq -r '.result.sync_info.latest_block_height' 2>/dev/null || echo 0; }

# until DESC BLOCKS SECONDS LOGS-CSV CMD...: CMD must succeed within BLOCKS blocks and SECONDS seconds.
until_ok() {
  local desc=$1 blocks=$2 secs=$3 logs=$4; shift 4
  local h0 end; h0=$(height); end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    local h; h=$(height)
    if [ "$h" -gt $((h0 + blocks)) ] || [ $SECONDS -ge $end ]; then
      IFS=, read -r -a files <<<"$logs"
      fail "$desc: not within $blocks blocks / $secs s (height $h0 -> $h)" "${files[@]}"
    fi
    sleep 2
  done
  log "ok: $desc (height $(height))"
}

cli() { java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$CLI_JAR" "$@"; }
verified_hsm() { cli show hsm "$1" --verified --rpc "$RPC" --genesis "$GENESIS"; }
reg_state() { curl -fsS --max-time 5 "$REG/hsms/$1" | jq -r .state; }
state_is() { [ "$(reg_state "$1")" = "$2" ]; }
all_active() { local id; for id in "${IDS[@]}"; do state_is "$id" ACTIVE || return 1; done; }
metric() { # metric NAME LABEL-MATCH -> value (0 when absent)
  curl -fsS --max-time 3 "http://127.0.0.1:$DEVNET_APP_METRICS_PORT/metrics" \
    | awk -v n="$1" -v l="$2" 'index($0, n) == 1 && index($0, l) { v = $NF } END { printf "%d\n", v + 0 }'
}
passes() { metric teeledger_attestation_rounds_total 'outcome="PASS"'; }
passes_above() { [ "$(passes)" -gt "$1" ]; }
history_total() { curl -fsS --max-time 5 "$CRED/hsms/$1/history?size=1" | jq -r .total; }
history_above() { [ "$(history_total "$1")" -gt "$2" ]; }
AGENT_LOGS="$DIR/hsm/hsm0/agent.log,$DIR/hsm/hsm1/agent.log,$DIR/logs/app.log"

# ---------------------------------------------------------------- up
log "devnet in $DIR, ports from $B"
t_up=$SECONDS
scripts/devnet.sh up > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "devnet.sh up failed" "$DIR/logs/app.log" "$DIR/logs/registry.log" "$DIR/logs/credit.log" "$DIR/logs/kafka.log" "$DIR/logs/indexer.log"; }
UP_SECONDS=$((SECONDS - t_up))
log "devnet.sh up took $UP_SECONDS s"
grep -q 'Swagger UI' "$WORK/up.log" || fail "up printed no endpoints"
IDS=()
for i in 0 1 2 3 4; do IDS+=("$(cat "$DIR/hsm/hsm$i/id")"); done

# ---------------------------------------------------------------- every HSM becomes ACTIVE
until_ok "all 5 HSMs ACTIVE in the registry read model" 120 300 "$DIR/hsm/hsm4/agent.log,$DIR/hsm/hsm4/sidecar.log,$AGENT_LOGS,$DIR/logs/registry.log" all_active
for id in "${IDS[@]}"; do
  verified_hsm "$id" | jq -e '.state == "HSM_STATE_ACTIVE"' >/dev/null || fail "HSM $id is not ACTIVE on chain (verified read)"
done
log "ok: every HSM ACTIVE on chain (light-client verified)"
HSM4_ACTIVE_AT=$(curl -fsS "$REG/hsms/${IDS[4]}" | jq -r .state_height)

# ---------------------------------------------------------------- rounds keep passing, credits move
P1=$(passes); H1=$(history_total "${IDS[0]}")
until_ok "more attestation rounds PASS (were $P1)" 60 180 "$AGENT_LOGS" passes_above "$P1"
until_ok "hsm0's credit history grows (was $H1 rows)" 60 180 "$AGENT_LOGS,$DIR/logs/credit.log" history_above "${IDS[0]}" "$H1"

# ---------------------------------------------------------------- demo-attack
BETA=$(openssl x509 -inform DER -in "$DIR/ca/beta/root.der" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
[ "$(curl -fsS "$REG/hsms/${IDS[4]}" | jq -r .manufacturer_id)" = "$BETA" ] || fail "hsm4 is not under manufacturer beta"
JOIN_H=$(height)
scripts/devnet.sh demo-attack > "$WORK/attack.log" 2>&1 || { cat "$WORK/attack.log" >&2; fail "demo-attack failed" "$DIR/hsm/hsm9/sidecar.log"; }
grep -q 'what to watch' "$WORK/attack.log" || fail "demo-attack printed no guidance"
ROGUE=$(cat "$DIR/hsm/hsm9/id")
until_ok "the tampered-firmware HSM is SUSPENDED" 60 240 "$DIR/hsm/hsm9/sidecar.log,$AGENT_LOGS" state_is "$ROGUE" SUSPENDED
verified_hsm "$ROGUE" | jq -e '.state == "HSM_STATE_SUSPENDED"' >/dev/null || fail "rogue HSM not SUSPENDED on chain (verified)"
# The round that suspended it closed FAIL, with FIRMWARE_NOT_APPROVED votes (CometBFT /block_results).
fail_round=""; fw_votes=0
for h in $(seq "$JOIN_H" "$(height)"); do
  r=$(curl -fsS --max-time 5 "$RPC/block_results?height=$h") || continue
  c=$(jq -r --arg t "$ROGUE" '[.result.finalize_block_events[]? | select(.type == "attestation.round_closed")
        | select(any(.attributes[]; .key == "testee" and .value == $t))
        | select(any(.attributes[]; .key == "outcome" and (.value | test("FAIL"))))] | length' <<<"$r")
  [ "${c:-0}" -gt 0 ] && fail_round=$h
  v=$(jq -r '[.result.txs_results[]?.events[]? | select(.type == "attestation.vote")
        | select(any(.attributes[]; .key == "reason" and (.value | test("FIRMWARE_NOT_APPROVED"))))] | length' <<<"$r")
  fw_votes=$((fw_votes + ${v:-0}))
done
[ -n "$fail_round" ] || fail "no attestation.round_closed FAIL for the rogue HSM between heights $JOIN_H and $(height)"
[ "$fw_votes" -gt 0 ] || fail "no FIRMWARE_NOT_APPROVED vote found"
log "ok: rogue HSM voted FAIL ($fw_votes FIRMWARE_NOT_APPROVED votes, round closed at height $fail_round) and SUSPENDED"

# Manufacturer beta revoked: its HSM is untrusted (derived on read), so a round cannot be requested.
curl -fsS "$REG/manufacturers/$BETA?verified=true" | jq -e '.status == "REVOKED"' >/dev/null || fail "beta not REVOKED on chain"
until_ok "registry read model shows beta REVOKED" 20 60 "$DIR/logs/registry.log" \
  bash -c "curl -fsS '$REG/manufacturers/$BETA' | jq -e '.status == \"REVOKED\"'"
P="$WORK/request.json"
P1K=$(openssl pkey -in "$DIR/governance/gov1.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
P2K=$(openssl pkey -in "$DIR/governance/gov2.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
cli gov propose attestation-request --rpc "$RPC" --chain-id "$DEVNET_CHAIN_ID" --signer "$P1K" --signer "$P2K" \
  --id "${IDS[4]}" --reason "e2e: is hsm4 still trusted?" --out "$P" >/dev/null
cli gov sign "$P" --key "$DIR/governance/gov1.pem" >/dev/null
cli gov sign "$P" --key "$DIR/governance/gov2.pem" >/dev/null
set +e; out=$(cli gov submit "$P" --rpc "$RPC" 2>&1); rc=$?; set -e
[ $rc = 3 ] && grep -q 613 <<<"$out" || fail "a round request for an HSM of a revoked manufacturer must be refused with 613, got exit $rc: $out"
log "ok: manufacturer beta REVOKED; its HSM is untrusted (round request refused: $out)"

# ---------------------------------------------------------------- normalization keeps supply near the cap
norm_after() { curl -fsS "$CRED/normalizations" | jq -e --argjson h "$1" '[.items[] | select(.height >= $h)] | length > 0'; }
until_ok "a normalization after hsm4's activation (height $HSM4_ACTIVE_AT)" 60 180 "$DIR/logs/credit.log,$DIR/logs/app.log" norm_after "$HSM4_ACTIVE_AT"
curl -fsS "$CRED/normalizations" | jq -e --argjson cap $CAP '.items | length > 0 and all(.new_total | tonumber <= $cap)' >/dev/null \
  || fail "a normalization left more than the cap: $(curl -fsS "$CRED/normalizations")"
max_total=0
for _ in 1 2 3; do
  t=$(cli show supply --verified --rpc "$RPC" --genesis "$GENESIS" | jq -r .total)
  [ "$t" -gt "$max_total" ] && max_total=$t
  [ "$t" -le $((CAP * 11 / 10)) ] || fail "total supply $t above 110 % of the cap $CAP"
  sleep 3
done
log "ok: $(curl -fsS "$CRED/normalizations" | jq '.items | length') normalization(s), none above the cap; verified total supply at most $max_total (110 % of the cap: $((CAP * 11 / 10)))"

# ---------------------------------------------------------------- read models equal the chain's verified state
same_hsm() {
  local a b
  a=$(curl -fsS "$REG/hsms/$1" | jq -c '{id, manufacturer_id, state, endpoint, joined_height}')
  b=$(curl -fsS "$REG/hsms/$1?verified=true" | jq -c '{id, manufacturer_id, state, endpoint, joined_height}')
  [ "$a" = "$b" ]
}
same_balance() {
  local a b
  a=$(curl -fsS "$CRED/hsms/$1/balance" | jq -c '{balance, shares}')
  b=$(curl -fsS "$CRED/hsms/$1/balance?verified=true" | jq -c '{balance, shares}')
  [ "$a" = "$b" ]
}
for id in "${IDS[@]}" "$ROGUE"; do
  until_ok "registry read model of HSM ${id:0:12}… equals the verified chain state" 10 60 "$DIR/logs/registry.log" same_hsm "$id"
  if [ "$id" = "$ROGUE" ]; then
    # Never activated, so it holds no credit account: the verified read proves it absent (balance 0).
    curl -fsS "$CRED/hsms/$id/balance?verified=true" | jq -e '.balance == 0' >/dev/null || fail "rogue HSM holds credit"
    curl -fsS "$CRED/hsms/$id/balance" | jq -e '.balance == 0' >/dev/null || fail "rogue HSM: unverified balance is not 0"
    cli show balance "$id" --verified --rpc "$RPC" --genesis "$GENESIS" | jq -e '.balance == 0' >/dev/null || fail "CLI: rogue HSM holds credit"
  else
    until_ok "credit balance of HSM ${id:0:12}… equals the verified chain state" 10 60 "$DIR/logs/credit.log" same_balance "$id"
  fi
  v=$(verified_hsm "$id" | jq -r .state | sed 's/^HSM_STATE_//')
  [ "$v" = "$(reg_state "$id")" ] || fail "CLI verified state $v differs from the read model for $id"
done
for m in $(curl -fsS "$REG/manufacturers" | jq -r '.items[].id'); do
  a=$(curl -fsS "$REG/manufacturers/$m" | jq -c '{id, name, status}')
  b=$(curl -fsS "$REG/manufacturers/$m?verified=true" | jq -c '{id, name, status}')
  [ "$a" = "$b" ] || fail "manufacturer read model $a differs from the chain $b"
done
for f in $(curl -fsS "$REG/firmware" | jq -r '.items[].sha256'); do
  a=$(curl -fsS "$REG/firmware/$f" | jq -c '{sha256, component, version, valid_from_height, valid_until_height}')
  b=$(curl -fsS "$REG/firmware/$f?verified=true" | jq -c '{sha256, component, version, valid_from_height, valid_until_height}')
  [ "$a" = "$b" ] || fail "firmware read model $a differs from the chain $b"
done
log "ok: registry and credit read models equal the verified chain state"
ATT="http://127.0.0.1:$DEVNET_ATTESTATION_PORT/api/v1"
ROUND_FIELDS='{id, testee, kind, attempt, state, outcome, opened_height, deadline_height, closed_height, votes, pass_weight, fail_weight, seed}'
VOTE_FIELDS='[.items[] | {round_id, verifier, verdict, reason, weight, evidence_digest}]'
rogue_failed_in_read_model() { curl -fsS "$ATT/rounds?testee=$ROGUE&outcome=fail" | jq -e '.total >= 1' >/dev/null; }
until_ok "attestation read model shows the rogue HSM's FAIL round" 10 60 "$DIR/logs/attestation.log" rogue_failed_in_read_model
same_round() {
  local a b
  a=$(curl -fsS "$ATT/rounds/$1" | jq -c "$ROUND_FIELDS")
  b=$(curl -fsS "$ATT/rounds/$1?verified=true" | jq -c "$ROUND_FIELDS")
  [ "$a" = "$b" ] || return 1
  a=$(curl -fsS "$ATT/rounds/$1/votes" | jq -c "$VOTE_FIELDS")
  b=$(curl -fsS "$ATT/rounds/$1/votes?verified=true" | jq -c "$VOTE_FIELDS")
  [ "$a" = "$b" ]
}
# The newest closed rounds (PASS ones and the rogue's FAIL): every field and every vote as the chain proves them.
checked=0
for r in $( (curl -fsS "$ATT/rounds?state=closed&size=8" | jq -r '.items[].id'
             curl -fsS "$ATT/rounds?testee=$ROGUE&outcome=fail" | jq -r '.items[].id') | sort -un); do
  until_ok "attestation read model of round $r equals the verified chain state" 5 30 "$DIR/logs/attestation.log" same_round "$r"
  checked=$((checked + 1))
done
[ "$checked" -ge 2 ] || fail "only $checked closed rounds in the attestation read model" "$DIR/logs/attestation.log"
log "ok: attestation read model ($checked closed rounds with their votes) equals the verified chain state"
for i in 0 1 2 3 4; do
  curl -fsS "http://127.0.0.1:$((DEVNET_AGENT_METRICS_BASE_PORT + i))/metrics" | grep -q '^teeledger_agent_votes_committed_total [1-9]' \
    || fail "agent $i exported no committed votes" "$DIR/hsm/hsm$i/agent.log"
done
log "ok: every agent exports committed votes on /metrics"

# ---------------------------------------------------------------- down leaves nothing
PIDS=$(cat "$DIR"/pids/*.pid)
PM=$(head -1 "$DIR/postgres/data/postmaster.pid")
scripts/devnet.sh down > "$WORK/down.log" 2>&1 || { cat "$WORK/down.log" >&2; fail "devnet.sh down failed"; }
STOPPED=1
for p in $PIDS $PM; do
  if kill -0 "$p" 2>/dev/null && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF "$WORK"; then
    fail "process $p survived devnet.sh down: $(tr '\0' ' ' < "/proc/$p/cmdline")"
  fi
done
if pgrep -f "$WORK" >/dev/null; then fail "processes still mention $WORK: $(pgrep -af "$WORK")"; fi
log "ok: devnet.sh down stopped all $(wc -w <<<"$PIDS") processes (and the PostgreSQL server)"
log "PASSED in $((SECONDS - T0)) s (devnet.sh up: $UP_SECONDS s)"
