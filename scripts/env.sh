# Shared settings for the project's scripts. Source it; it only sets variables.
# Caches live under $TEELEDGER_CACHE (default ~/.cache/teeledger) so that repeated
# runs on the same machine reuse the Go module and build caches.
TEELEDGER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEELEDGER_CACHE="${TEELEDGER_CACHE:-$HOME/.cache/teeledger}"
TEELEDGER_BIN="${TEELEDGER_BIN:-$TEELEDGER_CACHE/bin}"
COMETBFT_VERSION="v0.38.25"
GOGOPROTO_VERSION="v1.7.0"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--modcacherw}"
export GOPATH="${GOPATH:-$HOME/go}"
export GOMODCACHE="${GOMODCACHE:-$GOPATH/pkg/mod}"
export GOCACHE="${GOCACHE:-$TEELEDGER_CACHE/go-build}"
export PATH="$TEELEDGER_BIN:$PATH"
export TEELEDGER_ROOT TEELEDGER_CACHE TEELEDGER_BIN COMETBFT_VERSION GOGOPROTO_VERSION
