#!/usr/bin/env bash
# Checks the Helm chart helm/teeledger offline (issue 10): helm lint and helm template with
# the default values and every helm/teeledger/ci/*.yaml, every rendered object against the
# Kubernetes / prometheus-operator schemas (scripts/chart-check/validate.js), the chart's key
# properties, a self-test that the checks catch broken manifests, and that k8s/ equals a
# fresh render of the default values. Needs the helm binary and node packages that
# scripts/install-deps.sh puts in $TEELEDGER_CACHE.
#   scripts/check-chart.sh            check (exit 1 on any problem)
#   scripts/check-chart.sh --update   re-render k8s/ from the default values, then check
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$TEELEDGER_ROOT"

CHART=helm/teeledger
RELEASE=teeledger
NAMESPACE=teeledger
MANIFESTS=k8s/teeledger.yaml
NODE_MODULES="$TEELEDGER_CACHE/chart-check/node_modules"
log() { printf '[check-chart] %s\n' "$*" >&2; }

command -v helm >/dev/null || { log "helm not found in $TEELEDGER_BIN: run scripts/install-deps.sh"; exit 1; }
[ -d "$NODE_MODULES/kubernetes-models" ] || { log "node packages missing in $NODE_MODULES: run scripts/install-deps.sh"; exit 1; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
start=$SECONDS

render() { # name, extra helm args...
  local name="$1"; shift
  helm lint "$CHART" --quiet "$@" >"$out/lint-$name.txt" 2>&1 || { cat "$out/lint-$name.txt" >&2; log "helm lint failed ($name)"; exit 1; }
  helm template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "$@" >"$out/$name.yaml"
}

render default
for f in "$CHART"/ci/*.yaml; do
  render "ci-$(basename "$f" .yaml)" -f "$f"
done

# The schema must refuse bad values (a check that cannot fail proves nothing).
if helm template "$RELEASE" "$CHART" --set validators.replicas=two >/dev/null 2>&1; then
  log "values.schema.json accepted validators.replicas=two"; exit 1
fi

node scripts/chart-check/validate.js "$NODE_MODULES" "$CHART/values.yaml" "$out"/*.yaml
node scripts/chart-check/validate.js "$NODE_MODULES" --self-test "$out/ci-cluster-values.yaml"

header="# Rendered from helm/teeledger with its default values: scripts/check-chart.sh --update.
# Do not edit; scripts/check-chart.sh fails when this file differs from a fresh render."
if [ "${1:-}" = "--update" ]; then
  mkdir -p "$(dirname "$MANIFESTS")"
  { echo "$header"; cat "$out/default.yaml"; } >"$MANIFESTS"
  log "wrote $MANIFESTS"
fi
if ! diff -u "$MANIFESTS" <(echo "$header"; cat "$out/default.yaml") >"$out/k8s.diff"; then
  head -40 "$out/k8s.diff" >&2
  log "$MANIFESTS differs from the chart's render: run scripts/check-chart.sh --update and commit"
  exit 1
fi
log "chart OK ($(ls "$out"/*.yaml | wc -l) renders, $((SECONDS - start)) s)"
