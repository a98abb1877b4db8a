#!/usr/bin/env bash
# Regenerates the captured TPM evidence in this directory from two fresh swtpm instances
# (Debian swtpm 0.7 + tpm2-tools 5.4) sharing one private swtpm_localca CA. The same steps
# as dev.teeledger.testkit.swtpm.SwtpmFixture; run by hand, never by the build.
# Outputs: root.der, intermediate.der, and per TPM (a = RSA AK, b = ECC P-256 AK):
#   X-ek.der (EK cert), X-ek.pub / X-ak.pub / X-node.pub (TPM2B_PUBLIC),
#   X-certify.attest / X-certify.sig (node key certified by the AK; TPMS_ATTEST, TPMT_SIGNATURE),
#   X-quote.attest / X-quote.sig (quote over sha256:0,1,2,3,7 with nonce 00112233…eeff).
set -euo pipefail
OUT=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
CA=$W/ca; mkdir -p "$CA"
cat > "$CA/localca.conf" <<EOC
statedir = $CA
signingkey = $CA/signkey.pem
issuercert = $CA/issuercert.pem
certserial = $CA/certserial
EOC
printf -- '--platform-manufacturer TestVendor\n--platform-version 1.0\n--platform-model TestHSM\n' > "$CA/localca.options"
printf 'create_certs_tool = swtpm_localca\ncreate_certs_tool_config = %s\ncreate_certs_tool_options = %s\nactive_pcr_banks = sha256\n' \
  "$CA/localca.conf" "$CA/localca.options" > "$CA/setup.conf"
NONCE=00112233445566778899aabbccddeeff
port=24310
for x in a b; do
  if [ $x = a ]; then G=rsa; S=rsassa; else G=ecc; S=ecdsa; fi
  D=$W/$x; mkdir -p "$D/state"
  swtpm_setup --tpm2 --tpmstate "$D/state" --config "$CA/setup.conf" --create-ek-cert --lock-nvram \
    --pcr-banks sha256 > "$D/setup.log" 2>&1
  swtpm socket --tpm2 --tpmstate dir="$D/state" --server type=tcp,port=$port,bindaddr=127.0.0.1 \
    --ctrl type=tcp,port=$((port+1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear &
  PIDS+=($!)
  sleep 0.5
  export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
  cd "$D"
  tpm2_nvread 0x01c00002 -o "$OUT/$x-ek.der" 2>/dev/null
  tpm2_readpublic -c 0x81010001 -f tss -o "$OUT/$x-ek.pub" > /dev/null
  tpm2_createak -C 0x81010001 -c ak.ctx -G $G -g sha256 -s $S -u "$OUT/$x-ak.pub" -f tss -n ak.name > /dev/null
  tpm2_flushcontext -t
  tpm2_evictcontrol -C o -c ak.ctx 0x81010002 > /dev/null
  tpm2_flushcontext -t
  tpm2_createprimary -C o -g sha256 -G ecc -c prim.ctx > /dev/null
  tpm2_create -C prim.ctx -G ecc256:ecdsa-sha256 -g sha256 \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign' -u "$OUT/$x-node.pub" -r node.priv -c node.ctx > /dev/null
  tpm2_flushcontext -t
  tpm2_evictcontrol -C o -c node.ctx 0x81000010 > /dev/null
  tpm2_flushcontext -t
  tpm2_certify -c 0x81000010 -C 0x81010002 -g sha256 -o "$OUT/$x-certify.attest" -s "$OUT/$x-certify.sig" -f tss > /dev/null
  tpm2_quote -c 0x81010002 -l sha256:0,1,2,3,7 -q $NONCE -m "$OUT/$x-quote.attest" -s "$OUT/$x-quote.sig" -g sha256 > /dev/null
  tpm2_flushcontext -t
  port=$((port+2))
done
openssl x509 -in "$CA/swtpm-localca-rootca-cert.pem" -outform der -out "$OUT/root.der"
openssl x509 -in "$CA/issuercert.pem" -outform der -out "$OUT/intermediate.der"
