#!/usr/bin/env bash
# Builds the container images of TEE Ledger as loadable archives, without a container engine
# or registry (docs/adr/0013-container-images-without-engine.md, docs/operations/kubernetes.md):
#   target/images/<component>-<tag>.oci.tar   for abci-app (with cometbft), registry-service,
#   credit-service, attestation-service, tpm-sidecar, verifier-agent,
#   chain-indexer and cli, named teeledger/<component>:<tag>, tag = the chart's appVersion.
# Each archive is an OCI image layout that also carries Docker's manifest.json:
#   docker load -i target/images/abci-app-0.1.0.oci.tar
#   kind load image-archive target/images/abci-app-0.1.0.oci.tar
#   skopeo copy oci-archive:target/images/abci-app-0.1.0.oci.tar docker://registry.example/teeledger/abci-app:0.1.0
# The base layer is Debian bookworm made of the pinned .deb files in scripts/images/base-packages.txt
# (glibc, libstdc++, zlib, OpenJDK 17 JRE headless, busybox for the init containers), user teeledger (10001). It is built once
# and cached in $TEELEDGER_CACHE/images; the application layers come from the Maven build, so
# run `./mvnw verify` (or package) first. Every archive is then checked: layout and digests,
# non-root user, entrypoint, `skopeo inspect` (when skopeo is installed), and the unpacked root
# file system runs `java -version` (and `cometbft version`, `teeledger --help`) in a chroot.
#   scripts/build-images.sh                  build and check all images
#   scripts/build-images.sh --refresh-pins   re-pin the base packages to Debian's current versions
# Idempotent: a second run rebuilds the (deterministic) archives from the cached base.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$TEELEDGER_ROOT"

PINS=scripts/images/base-packages.txt
OCI="python3 scripts/images/oci.py"
OUT="${TEELEDGER_IMAGES_OUT:-$TEELEDGER_ROOT/target/images}"
TAG="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/teeledger/Chart.yaml)"
PREFIX="${TEELEDGER_IMAGE_REPOSITORY:-teeledger}"
DEBS="$TEELEDGER_CACHE/images/debs"
log() { printf '[build-images] %s\n' "$*" >&2; }
start=$SECONDS

# Reproducible archives: file times and the image creation time are the last commit's time.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"

pinned() { grep -v '^#' "$PINS" | awk 'NF {print $1}'; }

download_debs() {
  command -v apt-get >/dev/null || { log "apt-get is needed to fetch the base packages (Debian/Ubuntu host)"; exit 1; }
  mkdir -p "$DEBS"
  local want=() spec hash file
  while read -r spec hash; do
    file="$(deb_file "$spec")"
    [ -f "$DEBS/$file" ] && echo "$hash  $DEBS/$file" | sha256sum -c --quiet - 2>/dev/null && continue
    want+=("$spec")
  done < <(grep -v '^#' "$PINS" | awk 'NF')
  [ ${#want[@]} -eq 0 ] && return
  log "downloading ${#want[@]} pinned Debian packages into $DEBS"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Package lists may be missing or older than the pins (slim CI images): refresh once.
  ( cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >/dev/null 2>"$DEBS/apt.err" ) \
    || { log "refreshing apt package lists"; $sudo apt-get update -qq >/dev/null 2>&1 || true; }
  if ! ( cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >/dev/null 2>"$DEBS/apt.err" ); then
    cat "$DEBS/apt.err" >&2
    log "a pinned version is not available (after a Debian update, or apt-get update was not run)."
    log "Run: apt-get update && scripts/build-images.sh --refresh-pins, then commit $PINS"
    exit 1
  fi
  while read -r spec hash; do
    file="$(deb_file "$spec")"
    echo "$hash  $DEBS/$file" | sha256sum -c --quiet - || { log "$file does not match its pinned sha256"; exit 1; }
  done < <(grep -v '^#' "$PINS" | awk 'NF')
}

# apt-get download names files <package>_<version with : as %3a>_<arch>.deb.
deb_file() {
  local pkg="${1%%=*}" ver="${1#*=}" arch=amd64
  case "$pkg" in netbase) arch=all ;; esac
  echo "${pkg}_${ver//:/%3a}_${arch}.deb"
}

refresh_pins() {
  local tmp pkgs
  tmp="$(mktemp -d)"
  pkgs="$(pinned | sed 's/=.*//')"
  # shellcheck disable=SC2086
  ( cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root $pkgs >/dev/null )
  { grep '^#' "$PINS"
    for f in "$tmp"/*.deb; do
      echo "$(dpkg-deb -f "$f" Package)=$(dpkg-deb -f "$f" Version) $(sha256sum "$f" | cut -c1-64)"
    done; } >"$PINS.new"
  mv "$PINS.new" "$PINS"
  rm -rf "$tmp"
  log "re-pinned:"; pinned >&2
}

build_base() {
  local key
  key="$(cat "$PINS" scripts/images/oci.py | sha256sum | cut -c1-16)"
  BASE="$TEELEDGER_CACHE/images/base-$key"
  [ -f "$BASE/layer.tar.gz" ] && return
  download_debs
  local stage
  stage="$(mktemp -d)"
  while read -r spec _; do cp "$DEBS/$(deb_file "$spec")" "$stage/"; done < <(grep -v '^#' "$PINS" | awk 'NF')
  log "building the base layer (cached in $BASE)"
  $OCI base --debs "$stage" --out "$BASE" >&2
  rm -rf "$stage"
}

# component, entrypoint JSON, oci.py image arguments...
image() {
  local component="$1" entrypoint="$2"; shift 2
  $OCI image --base "$BASE" --out "$OUT/$component-$TAG.oci.tar" --name "$PREFIX/$component" --tag "$TAG" \
    --entrypoint "$entrypoint" "$@" >&2
  BUILT+=("$component|$entrypoint")
}

quarkus_image() {
  local component="$1" module="${2:-$1}"
  [ -f "$module/target/quarkus-app/quarkus-run.jar" ] || { log "$module/target/quarkus-app missing: run the Maven build first"; exit 1; }
  image "$component" '["java","-jar","/app/quarkus-run.jar"]' --add "$module/target/quarkus-app:app"
}

# module, main class, component: the module jar plus its runtime classpath in /app/lib.
classpath_image() {
  local module="$1" main="$2" component="${3:-$1}" jar
  jar="$(ls "$module"/target/"$module"-*.jar 2>/dev/null | grep -v -- '-tests\.jar$\|-sources\.jar$' | head -1)"
  [ -n "$jar" ] && [ -f "$module/target/classpath.txt" ] || { log "$module jar or target/classpath.txt missing: run the Maven build first"; exit 1; }
  image "$component" "[\"java\",\"-cp\",\"/app/lib/*\",\"$main\"]" \
    --classpath "$module/target/classpath.txt:app/lib" --add "$jar:app/lib/$module.jar" "${@:4}"
}

smoke() { # component, rootfs
  local component="$1" root="$2" run
  if [ "$(id -u)" -eq 0 ]; then run=(unshare -fpm --mount-proc="$root/proc" chroot --userspec=10001:10001 "$root")
  elif unshare -r true 2>/dev/null; then run=(unshare -r -fpm --mount-proc="$root/proc" chroot "$root")
  else log "cannot smoke-test $component: run as root or enable unprivileged user namespaces"; exit 1; fi
  "${run[@]}" /usr/bin/java -version 2>&1 | grep -q 'openjdk version "17' || { log "$component: java does not run in the image"; exit 1; }
  # The tools the chart's init containers and exec probes use (busybox).
  "${run[@]}" /bin/sh -ec 'mkdir -p /tmp/t && cp /etc/passwd /tmp/t/f && chmod 600 /tmp/t/f && test -f /tmp/t/f && test -x "$(command -v wget)"' \
    || { log "$component: the busybox tools do not work in the image"; exit 1; }
  case "$component" in
    abci-app) "${run[@]}" /usr/local/bin/cometbft version | grep -qx "${COMETBFT_VERSION#v}" || { log "cometbft does not run in abci-app"; exit 1; } ;;
    cli) "${run[@]}" /usr/bin/java -jar /app/teeledger.jar --help >/dev/null || { log "the CLI does not run in its image"; exit 1; } ;;
  esac
  log "$component: java runs in the unpacked image as uid 10001"
}

main() {
  if [ "${1:-}" = "--refresh-pins" ]; then refresh_pins; fi
  command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
  build_base
  mkdir -p "$OUT"
  BUILT=()
  [ -x "$TEELEDGER_BIN/cometbft" ] || { log "cometbft missing in $TEELEDGER_BIN: run scripts/install-deps.sh"; exit 1; }
  classpath_image abci-app dev.teeledger.abci.LedgerNode abci-app --add "$TEELEDGER_BIN/cometbft:usr/local/bin/cometbft"
  classpath_image chain-indexer dev.teeledger.indexer.IndexerMain
  classpath_image verifier-agent dev.teeledger.agent.Main
  quarkus_image registry-service
  quarkus_image credit-service
  quarkus_image tpm-sidecar
  quarkus_image attestation-service
  [ -f cli/target/teeledger.jar ] || { log "cli/target/teeledger.jar missing: run the Maven build first"; exit 1; }
  image cli '["java","-jar","/app/teeledger.jar"]' --add cli/target/teeledger.jar:app/teeledger.jar

  local entry component
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # The base is unpacked once; each image's root file system is a hard-linked copy of it plus
  # its own layer (which only adds files under /app and /usr/local/bin).
  $OCI unpack-base --base "$BASE" --out "$tmp/base"
  local base_id
  base_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["diff_id"])' "$BASE/layer.json")"
  for entry in "${BUILT[@]}"; do
    component="${entry%%|*}"
    local archive="$OUT/$component-$TAG.oci.tar"
    cp -al "$tmp/base" "$tmp/$component"
    $OCI verify "$archive" --name "$PREFIX/$component" --tag "$TAG" --entrypoint "${entry#*|}" \
      --unpack "$tmp/$component" --base-diff-id "$base_id" >&2
    if command -v skopeo >/dev/null; then
      for transport in oci-archive docker-archive; do
        skopeo inspect --config "$transport:$archive" 2>&1 | grep -q '"User": "10001:10001"' \
          || { log "skopeo cannot read $transport:$archive"; exit 1; }
      done
    fi
    smoke "$component" "$tmp/$component"
    rm -rf "${tmp:?}/$component"
  done
  command -v skopeo >/dev/null || log "skopeo not installed: archives checked by oci.py only"
  log "${#BUILT[@]} images in $OUT ($((SECONDS - start)) s)"
}

main "$@"
