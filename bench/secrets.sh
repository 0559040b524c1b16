#!/usr/bin/env bash
# Secret and card-number scanning: cdeguard vs Trivy (secret scanner), gitleaks and
# detect-secrets, same inputs, one run.
#   Quality: precision and recall on labelled data (bench/secrets_quality.py).
#   Speed: bytes/s on the peers' Debian rootfs, on a 1 GiB mixed tree, and (all four
#   tools) on the smaller secrets-tree; peak memory.
# Needs: ../shared/peers/install.sh and make-inputs.sh done.
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-3}"
IN="${PEERS_INPUTS:-/opt/peers/inputs}"
TRIVY_OFF=(--cache-dir /opt/peers/cache/trivy --cache-backend memory --skip-db-update --skip-java-db-update --skip-check-update --skip-version-check --quiet)
# CDEGUARD_BIN=path uses an existing binary instead of a release build (quality figures
# do not depend on the build profile); QUALITY_ONLY=1 skips the speed runs.
need_time
if [[ -n "${CDEGUARD_BIN:-}" ]]; then CDEGUARD="$CDEGUARD_BIN"; else build_cdeguard; fi

cdeguard_scan() { "$CDEGUARD" scan --scanners secrets --format json --output "$2" "$1"; }
trivy_scan() { trivy fs "${TRIVY_OFF[@]}" --scanners secret -f json -o "$2" "$1"; }
gitleaks_scan() { gitleaks dir "$1" --no-banner --log-level error --exit-code 0 --report-format json --report-path "$2"; }
detect_secrets_scan() { (cd "$1" && detect-secrets scan --all-files . >"$2"); }

# --- quality on labelled data -------------------------------------------------------
LABELLED="$OUT/secrets-labelled"
rm -rf "$LABELLED" && mkdir -p "$LABELLED"
cp -r "$SHARED/corpus/secrets/detect-secrets/test_data" "$LABELLED/detect-secrets"
cp -r "$SHARED/corpus/secrets/gitleaks/testdata/repos/nogit" "$LABELLED/gitleaks-nogit"
# baseline.file is detect-secrets' expected output (hashed secrets), not test input.
rm -f "$LABELLED/detect-secrets/baseline.file" "$LABELLED/gitleaks-nogit/.gitleaksignore"
chmod -R u+w "$LABELLED"
echo "== quality (labelled data: detect-secrets test_data, gitleaks nogit, planted rootfs secrets)"
cdeguard_scan "$LABELLED" "$OUT/q-cdeguard.json" 2>/dev/null || true
trivy_scan "$LABELLED" "$OUT/q-trivy.json" 2>/dev/null || true
gitleaks_scan "$LABELLED" "$OUT/q-gitleaks.json" 2>/dev/null || true
detect_secrets_scan "$LABELLED" "$OUT/q-detect-secrets.json" 2>/dev/null || true
cdeguard_scan "$IN/secrets-tree" "$OUT/q-cdeguard-st.json" 2>/dev/null || true
trivy_scan "$IN/secrets-tree" "$OUT/q-trivy-st.json" 2>/dev/null || true
gitleaks_scan "$IN/secrets-tree" "$OUT/q-gitleaks-st.json" 2>/dev/null || true
detect_secrets_scan "$IN/secrets-tree" "$OUT/q-detect-secrets-st.json" 2>/dev/null || true
python3 "$BENCH_DIR/secrets_quality.py" --labelled "$LABELLED" --labels "$BENCH_DIR/secrets-labels.tsv" \
  --secrets-tree "$IN/secrets-tree" --out "$OUT" | tee "$OUT/secrets-quality.txt"

[[ "${QUALITY_ONLY:-0}" == 1 ]] && exit 0

# --- speed ----------------------------------------------------------------------------
MIXED="$OUT/mixed-1g"
if [[ ! -d "$MIXED" ]]; then
  # ~1 GiB: three hard-linked copies of the rootfs plus the labelled data.
  mkdir -p "$MIXED"
  for i in 1 2 3; do cp -al "$IN/debian-rootfs" "$MIXED/rootfs-$i"; done
  cp -r "$LABELLED" "$MIXED/labelled"
fi
for set in rootfs mixed; do
  dir="$IN/debian-rootfs"; [[ $set == mixed ]] && dir="$MIXED"
  bytes=$(du -sb --apparent-size -l "$dir" | cut -f1)
  echo "== speed: $set ($((bytes / 1048576)) MiB)"
  measure "secrets-cdeguard-$set" "$RUNS" "$CDEGUARD" scan --scanners secrets --format json --output "$OUT/s-cdeguard-$set.json" "$dir"
  measure "secrets-trivy-$set" 1 trivy fs "${TRIVY_OFF[@]}" --scanners secret -f json -o "$OUT/s-trivy-$set.json" "$dir"
  measure "secrets-gitleaks-$set" 1 gitleaks dir "$dir" --no-banner --log-level error --exit-code 0 --report-format json --report-path "$OUT/s-gitleaks-$set.json"
  for t in cdeguard trivy gitleaks; do
    read -r w _ <"$OUT/secrets-$t-$set.time"
    awk -v b="$bytes" -v w="$w" -v t="$t" 'BEGIN{ printf "  %-10s %8.1f MiB/s\n", t, b/1048576/(w<0.001?0.001:w) }'
  done
  ratio "secrets-trivy-$set" "secrets-cdeguard-$set"
  ratio "secrets-gitleaks-$set" "secrets-cdeguard-$set"
done
echo "== speed: secrets-tree (detect-secrets is too slow for the larger trees)"
dir="$IN/secrets-tree"
measure "secrets-cdeguard-st" "$RUNS" "$CDEGUARD" scan --scanners secrets --format json --output "$OUT/s-cdeguard-st.json" "$dir"
measure "secrets-detect-secrets-st" 1 sh -c "cd '$dir' && detect-secrets scan --all-files . > '$OUT/s-ds-st.json'"
ratio "secrets-detect-secrets-st" "secrets-cdeguard-st"
