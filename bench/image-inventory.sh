#!/usr/bin/env bash
# Package inventory of images and root filesystems: cdeguard vs Trivy vs Syft, on the same
# inputs in one run. Prints (1) the three-way difference of (ecosystem, name, version)
# per input, (2) wall time of a cold scan (empty layer cache) and a warm rescan, and
# peak memory (GNU time), with the ratios.
#
# The peers only inventory: Trivy with `-f cyclonedx` runs in SBOM mode (packages, no
# vulnerability or secret scanning; no Trivy DB is installed here anyway), Syft likewise.
# cdeguard runs `--scanners $CDG_SCANNERS`, by default `vuln` (the inventory plus
# matching it against the vulnerability database: a little more work than the peers');
# CDG_SCANNERS=config,secrets,vuln measures cdeguard's whole default scan, where the
# secret scan of every file dominates.
#
#   bash /work/shared/peers/make-inputs.sh      # once, as root (~3 min)
#   bash bench/image-inventory.sh [RUNS]       # median of RUNS timings (default 3)
#   CDG_SCANNERS=config,secrets,vuln bash bench/image-inventory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
CDG_SCANNERS="--scanners ${CDG_SCANNERS:-vuln}"
INPUTS="${PEERS_INPUTS:-/opt/peers/inputs}"
export PATH="/opt/peers/bin:$PATH" SYFT_CHECK_FOR_APP_UPDATE=false
TRIVY_OFF="--cache-dir /opt/peers/cache/trivy --cache-backend memory --skip-db-update --skip-java-db-update --skip-check-update --skip-version-check --quiet"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# CDG=/path/to/cdeguard measures that binary (e.g. an older build) instead of building.
if [[ -z ${CDG:-} ]]; then
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/targets/images}" cargo build -q --release -p cdeguard-cli
  CDG="${CARGO_TARGET_DIR:-/work/targets/images}/release/cdeguard"
fi
CACHE="$OUT/cdeguard"  # where cdeguard caches with XDG_CACHE_HOME=$OUT

# name | cdeguard target | trivy command | syft source
CASES=(
  "rootfs|$INPUTS/debian-rootfs|rootfs $INPUTS/debian-rootfs|dir:$INPUTS/debian-rootfs"
  "docker-archive|$INPUTS/debian-docker-archive.tar|image --input $INPUTS/debian-docker-archive.tar|docker-archive:$INPUTS/debian-docker-archive.tar"
  "oci-layout|$INPUTS/oci-layout|image --input $INPUTS/oci-layout|oci-dir:$INPUTS/oci-layout"
  "oci-archive|$INPUTS/debian-oci.tar||oci-archive:$INPUTS/debian-oci.tar"
)

# Prints "seconds max_rss_kb" of one command (output discarded). Wall time from bash's
# microsecond clock (GNU time's %e has 10 ms steps, coarser than a warm rescan); the
# same wrapper around every tool.
measure() {
  local start=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$OUT/time" "$@" >/dev/null 2>&1 || true
  local end=$EPOCHREALTIME
  echo "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }') $(tail -1 "$OUT/time")"
}
# Median "seconds kb" over RUNS runs of a command. $1 = "cold" empties the layer and
# image caches first; the vulnerability database cdeguard builds from its embedded
# records once per binary (embedded-vulndb-*.cdgdb) is kept, as Trivy's database is
# (a first run on a new machine builds it once: printed below as "first run").
median() {
  local mode=$1; shift
  for _ in $(seq "$RUNS"); do
    [[ $mode == cold ]] && find "$CACHE" -mindepth 1 ! -name 'embedded-vulndb-*.cdgdb' -delete 2>/dev/null
    measure "$@"
  done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

echo "cdeguard: $CDG_SCANNERS; Trivy and Syft: SBOM (inventory) mode"
rm -rf "$CACHE"
IFS='|' read -r _ first_target _ <<<"${CASES[0]}"
first=$(XDG_CACHE_HOME="$OUT" measure "$CDG" scan "$first_target" --rules pci $CDG_SCANNERS -f cyclonedx -o /dev/null)
if [[ $CDG_SCANNERS == *vuln* ]]; then
  echo "first run on $first_target (also builds the embedded vulnerability database): ${first% *} s"
fi
printf '\n%-15s %9s %9s %9s %9s | %7s %7s %7s | %8s %8s %8s\n' CASE cdg-cold cdg-warm trivy syft trivy/c syft/c c/warm "cdg-MB" "trivy-MB" "syft-MB"
for case in "${CASES[@]}"; do
  IFS='|' read -r name target trivy_args syft_src <<<"$case"
  [[ -e $target ]] || { echo "$name: $target missing (run make-inputs.sh)"; continue; }
  XDG_CACHE_HOME="$OUT" "$CDG" scan "$target" --rules pci $CDG_SCANNERS -f cyclonedx -o "$OUT/$name.cdg.json" || true
  [[ -n $trivy_args ]] && trivy $trivy_args $TRIVY_OFF -f cyclonedx -o "$OUT/$name.trivy.json" || true
  syft scan "$syft_src" -q -o "cyclonedx-json=$OUT/$name.syft.json" || true
  python3 bench/sbom_diff.py "$name" "$OUT/$name.cdg.json" "$OUT/$name.trivy.json" "$OUT/$name.syft.json" > "$OUT/$name.diff"
  cold=$(XDG_CACHE_HOME="$OUT" median cold "$CDG" scan "$target" --rules pci $CDG_SCANNERS -f cyclonedx -o /dev/null)
  warm=$(XDG_CACHE_HOME="$OUT" median warm "$CDG" scan "$target" --rules pci $CDG_SCANNERS -f cyclonedx -o /dev/null)
  if [[ -n $trivy_args ]]; then tv=$(median peer trivy $trivy_args $TRIVY_OFF -f cyclonedx -o /dev/null); else tv="nan 0"; fi
  sy=$(median peer syft scan "$syft_src" -q -o cyclonedx-json=/dev/null)
  read -r cs cm <<<"$cold"; read -r ws _ <<<"$warm"; read -r ts tm <<<"$tv"; read -r ss sm <<<"$sy"
  awk -v n="$name" -v cs="$cs" -v ws="$ws" -v ts="$ts" -v ss="$ss" -v cm="$cm" -v tm="$tm" -v sm="$sm" 'BEGIN {
    printf "%-15s %8.3fs %8.3fs %8.3fs %8.3fs | %6.1fx %6.1fx %6.1fx | %8.1f %8.1f %8.1f\n", n, cs, ws, ts, ss, (cs>0?ts/cs:0), (cs>0?ss/cs:0), (ws>0?cs/ws:0), cm/1024, tm/1024, sm/1024 }'
done
echo
echo "Package differences (ecosystem name version; + = found only by that tool):"
cat "$OUT"/*.diff
