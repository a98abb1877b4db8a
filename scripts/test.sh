#!/usr/bin/env bash
# Runs every test of TEE Ledger on a fresh machine: installs what is missing
# (scripts/install-deps.sh), then builds and runs unit and integration tests.
# Integration tests start their own servers (CometBFT, abci-app) on loopback.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
bash scripts/install-deps.sh
exec ./mvnw -B --no-transfer-progress verify "$@"
