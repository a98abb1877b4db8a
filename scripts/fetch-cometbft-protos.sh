#!/usr/bin/env bash
# Copies CometBFT's published .proto files and gogo.proto from the Go module cache
# into OUT_DIR for the protobuf compiler. Called by the cometbft-proto module's
# build; the files are never committed to this tree.
#   usage: fetch-cometbft-protos.sh OUT_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
out="${1:?usage: fetch-cometbft-protos.sh OUT_DIR}"

module_dir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

cmt="$(module_dir "github.com/cometbft/cometbft@$COMETBFT_VERSION")"
gogo="$(module_dir "github.com/cosmos/gogoproto@$GOGOPROTO_VERSION")"
[ -d "$cmt/proto/tendermint" ] || { echo "no proto/tendermint in $cmt" >&2; exit 1; }
[ -f "$gogo/gogoproto/gogo.proto" ] || { echo "no gogoproto/gogo.proto in $gogo" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/cometbft" "$out/gogoproto/gogoproto"
cp -R "$cmt/proto/tendermint" "$out/cometbft/"
cp "$gogo/gogoproto/gogo.proto" "$out/gogoproto/gogoproto/"
chmod -R u+w "$out"
for f in LICENSE; do
  [ -f "$cmt/$f" ] && cp "$cmt/$f" "$out/cometbft/LICENSE"
  [ -f "$gogo/$f" ] && cp "$gogo/$f" "$out/gogoproto/LICENSE"
done
echo "fetched $(find "$out" -name '*.proto' | wc -l) proto files into $out"
