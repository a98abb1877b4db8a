#!/usr/bin/env bash
# Runs every test of TEE Ledger on a fresh machine: installs what is missing
# (scripts/install-deps.sh), then builds and runs unit and integration tests.
# Integration tests start their own servers (CometBFT, abci-app) on loopback.
# After Maven (which leaves the jars), scripts/e2e-devnet.sh starts the whole devnet from those
# jars and checks it end to end through its public APIs (4-6 min on 2 cores; E2E_SKIP=1 skips
# it); scripts/build-images.sh builds and checks the container image archives (~50 s of CPU the
# first time, which fetches the pinned Debian base; ~40 s with the base cached); then
# scripts/check-chart.sh checks the Helm chart and k8s/ offline (~3 s of CPU).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
bash scripts/install-deps.sh
./mvnw -B --no-transfer-progress verify "$@"
[ "${E2E_SKIP:-0}" = 1 ] || bash scripts/e2e-devnet.sh
bash scripts/build-images.sh
bash scripts/check-chart.sh
