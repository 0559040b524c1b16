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

# Prints "seconds max_rss_kb" of one command (output discarded).
measure() { /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" >/dev/null 2>&1 || true; cat "$OUT/time" | tail -1; }
# Median "seconds kb" over RUNS runs of a command; $1 = "cold" clears the cdeguard cache first.
median() {
  local mode=$1; shift
  for _ in $(seq "$RUNS"); do
    [[ $mode == cold ]] && rm -rf "$CACHE"
    measure "$@"
  done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

echo "cdeguard: $CDG_SCANNERS; Trivy and Syft: SBOM (inventory) mode"
printf '\n%-15s %9s %9s %9s %9s %9s | %7s %7s %7s | %8s %8s %8s\n' CASE cdg-cold cdg-warm trivy syft warm/cold trivy/c syft/c c/warm "cdg-MB" "trivy-MB" "syft-MB"
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
    r = function_ratio = 0
    printf "%-15s %8.2fs %8.2fs %8.2fs %8.2fs %9s | %6.1fx %6.1fx %6.1fx | %8.1f %8.1f %8.1f\n", n, cs, ws, ts, ss, "", (cs>0?ts/cs:0), (cs>0?ss/cs:0), (ws>0?cs/ws:0), cm/1024, tm/1024, sm/1024 }'
done
echo
echo "Package differences (ecosystem name version; + = found only by that tool):"
cat "$OUT"/*.diff
