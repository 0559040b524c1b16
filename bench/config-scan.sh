#!/usr/bin/env bash
# Configuration scanning: cdeguard vs Checkov vs `trivy config`, same inputs, one run.
#   (a) every Kubernetes YAML/JSON manifest in ../shared/corpus/
#   (b) 10,000 generated workloads (../shared/peers/gen_k8s.py, fixed seed)
# Prints median wall time and peak memory of each tool and the ratios, then the per-check
# comparison of what each tool flags on (a) (bench/compare-config.py).
#   bash bench/config-scan.sh            # RUNS=3 WORKLOADS=10000 by default
# Needs: ../shared/peers/install.sh done (checkov, trivy in /opt/peers/bin).
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-3}"
WORKLOADS="${WORKLOADS:-10000}"
TRIVY_CFG=(--cache-dir /opt/peers/cache/trivy --skip-check-update --skip-version-check --quiet)
# Checkov 3.3.30 crashes (Python AttributeError, no report at all) on these malformed corpus
# files; they are left out of Checkov's run only (found by bisection). cdeguard and Trivy
# read them (cdeguard reports the invalid ones as input errors and scans the rest).
CHECKOV_SKIP=(--skip-path 'set-fsgroup-value/test/cronjob/input/cronjob1.yaml'
              --skip-path 'network-policy-checks-bad-path' --skip-path 'standard-anp-np-banp')
need_time
build_cdeguard

# (a) the corpus manifests, copied with their relative paths (only files that are manifests)
CORPUS="$OUT/corpus-k8s"
rm -rf "$CORPUS" && mkdir -p "$CORPUS"
(cd "$SHARED/corpus" && grep -rlE --include='*.yaml' --include='*.yml' --include='*.json' '^\s*"?apiVersion"?\s*:' . ) |
  while read -r f; do grep -qE '^\s*"?kind"?\s*:' "$SHARED/corpus/$f" && install -D -m 0644 "$SHARED/corpus/$f" "$CORPUS/$f"; done
echo "(a) corpus manifests: $(find "$CORPUS" -type f | wc -l) files"

# (b) generated workloads
GEN="$OUT/gen-$WORKLOADS"
if [[ ! -d "$GEN/k8s/workloads" ]]; then
  python3 "$SHARED/peers/gen_k8s.py" --out "$GEN" --workloads "$WORKLOADS" --dockerfiles 1 >/dev/null
fi
echo "(b) generated workloads: $(find "$GEN/k8s/workloads" -type f | wc -l) files"

for set in corpus gen; do
  dir=$CORPUS; [[ $set == gen ]] && dir="$GEN/k8s/workloads"
  # Peers take minutes on the generated set: one run there, without warm-up.
  peer_runs=$RUNS; [[ $set == gen ]] && peer_runs=0
  echo "== $set"
  measure "cdeguard-$set" "$RUNS" "$CDEGUARD" scan "$dir" --scanners config --format json --output "$OUT/cdeguard-$set.json"
  measure "trivy-$set" "$peer_runs" trivy config "${TRIVY_CFG[@]}" -f json -o "$OUT/trivy-$set.json" "$dir"
  measure "checkov-$set" "$peer_runs" checkov -d "$dir" --framework kubernetes --skip-download --quiet --compact -o json --output-file-path "$OUT/checkov-$set" "${CHECKOV_SKIP[@]}"
  ratio "trivy-$set" "cdeguard-$set"
  ratio "checkov-$set" "cdeguard-$set"
done

echo "== per-check comparison on (a)"
python3 "$BENCH_DIR/compare-config.py" --cdeguard "$OUT/cdeguard-corpus.json" \
  --checkov "$OUT/checkov-corpus/results_json.json" --trivy "$OUT/trivy-corpus.json" --root "$CORPUS" \
  | tee "$OUT/compare-config.txt"
