#!/usr/bin/env bash
# Regenerates the measured-quote fixtures in this directory from one fresh swtpm (Debian swtpm
# 0.7 + tpm2-tools 5.4): an RSA-2048 AK under the EK (endorsement hierarchy, like capture.sh),
# PCR 16 extended with the three SHA-256 digests of the project measurement log that
# QuoteVerifierTest builds (MeasuredFixture), then quoted. Run by hand, never by the build.
# Outputs: c-ek.pub, c-ak.pub (TPM2B_PUBLIC), c-quote.attest / c-quote.sig (quote over
# sha256:16,17,23 with nonce 0102…20), c-pcrs.txt (tpm2_pcrread, for humans).
set -euo pipefail
OUT=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
mkdir -p "$W/state"
port=24350
swtpm_setup --tpm2 --tpmstate "$W/state" --createek --pcr-banks sha256 > "$W/setup.log" 2>&1
swtpm socket --tpm2 --tpmstate dir="$W/state" --server type=tcp,port=$port,bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((port+1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear &
PID=$!
sleep 0.5
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
cd "$W"
tpm2_readpublic -c 0x81010001 -f tss -o "$OUT/c-ek.pub" > /dev/null
tpm2_createak -C 0x81010001 -c ak.ctx -G rsa -g sha256 -s rsassa -u "$OUT/c-ak.pub" -f tss -n ak.name > /dev/null
tpm2_flushcontext -t
tpm2_evictcontrol -C o -c ak.ctx 0x81010002 > /dev/null
tpm2_flushcontext -t
# The digests are SHA-256 of these ASCII strings (see MeasuredFixture).
for s in "firmware:hsm-fw-1.0" "wasm:policy-v1" "wasm:scorer-v2"; do
  d=$(printf '%s' "$s" | sha256sum | cut -d' ' -f1)
  tpm2_pcrextend 16:sha256=$d
done
tpm2_pcrread sha256:16,17,23 > "$OUT/c-pcrs.txt"
tpm2_quote -c 0x81010002 -l sha256:16,17,23 -q 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 \
  -m "$OUT/c-quote.attest" -s "$OUT/c-quote.sig" -g sha256 > /dev/null
tpm2_flushcontext -t
