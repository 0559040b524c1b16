#!/usr/bin/env bash
# NetworkPolicy reachability: cdeguard vs IBM network-config-analyzer (NCA), same inputs.
#   1. Differential: generated clusters (bench/netpol_gen.py --avoid-nca-bugs), every pod
#      pair and every IPv4 segment compared (bench/netpol_compare.py); NCA's known
#      bugs are reproduced in bench/netpol-nca-bug/.
#   2. Speed: the full connectivity matrix of the same cluster by both tools (NCA's
#      connectivityMap query, DOT output, like cdeguard's matrix), wall time and peak
#      memory (/usr/bin/time), ratio; then cdeguard alone on 5,000 pods / 200 namespaces
#      / 1,000 policies (NCA too, bounded by NCA_TIMEOUT seconds).
# Needs: ../shared/peers/install.sh (NCA in /opt/peers/bin).
#   SIZES="200:10:40 1000:40:200"  clusters for the differential and speed comparison ("" skips)
#   NCA_TIMEOUT=900                 seconds NCA may take on the 5,000-pod cluster (0 skips)
#   3. Mesh: the same 5,000 pods with an Istio configuration (netpol_gen.py --mesh): the
#      segmentation test's time with the mesh layer minus without.
#   4. Generate: NetworkPolicies and Istio AuthorizationPolicies from 20,000 generated
#      flows on the mesh cluster.
#   5. Dense: the same 5,000 pods and 1,000 policies without default-deny (about a
#      million class pairs connected), cdeguard alone.
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-3}"
SIZES="${SIZES-200:10:40 1000:40:200}"
NCA_TIMEOUT="${NCA_TIMEOUT:-900}"
need_time
build_cdeguard
command -v nca >/dev/null || { echo "nca missing: run ../shared/peers/install.sh" >&2; exit 2; }

scheme() { # DIR: NCA scheme computing the connectivity map as DOT
  cat >"$1/scheme.yaml" <<'EOF'
networkConfigList:
  - name: bench
    resourceList: [./namespaces.yaml, ./pods.yaml, ./policies.yaml]
queries:
  - name: conn
    connectivityMap: [bench]
    outputConfiguration: {outputFormat: dot, outputPath: ./nca.dot}
EOF
}

echo "== differential and speed vs NCA (same clusters, NCA semantics for host-network pods)"
for size in $SIZES; do
  IFS=: read -r pods nss pols <<<"$size"
  dir="$OUT/netpol-$pods"
  rm -rf "$dir" && python3 "$BENCH_DIR/netpol_gen.py" --pods "$pods" --namespaces "$nss" --policies "$pols" --avoid-nca-bugs --out "$dir"
  scheme "$dir"
  echo "-- $pods pods, $nss namespaces, $pols policies"
  measure "nca-matrix-$pods" 0 bash -c "cd '$dir' && nca --scheme scheme.yaml"
  measure "cdeguard-matrix-$pods" "$RUNS" bash -c "'$CDEGUARD' netpol matrix --host-network like-pods --format json '$dir' >'$dir/ours.json'"
  ratio "nca-matrix-$pods" "cdeguard-matrix-$pods"
  python3 "$BENCH_DIR/netpol_compare.py" --ours "$dir/ours.json" --nca "$dir/nca.dot" | head -20 || echo "  DIFFERENCES (see above)"
done

echo "== 5,000 pods / 200 namespaces / 1,000 policies"
big="$OUT/netpol-5000"
rm -rf "$big" && python3 "$BENCH_DIR/netpol_gen.py" --pods 5000 --namespaces 200 --policies 1000 --out "$big"
measure cdeguard-matrix-5000 "$RUNS" bash -c "'$CDEGUARD' netpol matrix '$big' >'$big/ours.txt'"
measure cdeguard-matrix-5000-json "$RUNS" bash -c "'$CDEGUARD' netpol matrix --format json '$big' >'$big/ours.json'"
measure cdeguard-test-5000 "$RUNS" bash -c "'$CDEGUARD' netpol test '$big' >/dev/null"
echo "  matrix lines: $(wc -l <"$big/ours.txt"), classes: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['classes']))" "$big/ours.json")"
echo "== mesh layer: the same 5,000 pods with Istio (sidecars, 1,000 Services, STRICT, DestinationRules, AuthorizationPolicies)"
mesh="$OUT/netpol-5000-mesh"
rm -rf "$mesh" && python3 "$BENCH_DIR/netpol_gen.py" --pods 5000 --namespaces 200 --policies 1000 --mesh --out "$mesh"
measure cdeguard-test-5000-mesh "$RUNS" bash -c "'$CDEGUARD' netpol test '$mesh' >'$mesh/test.txt'"
read -r plain _ <"$OUT/cdeguard-test-5000.time"
read -r meshed _ <"$OUT/cdeguard-test-5000-mesh.time"
echo "  mesh layer cost in the segmentation test (wall medians): $(awk -v a="$meshed" -v b="$plain" 'BEGIN{printf "%.2f s (%.2f s with the mesh vs %.2f s without)", a-b, a, b}')"
cpu_min() { # DIR: least user+sys seconds of 5 segmentation tests (steadier than wall on a shared machine)
  # `netpol test` exits 1 when a path reaches the CDE: the times are wanted anyway.
  for _ in 1 2 3 4 5; do { /usr/bin/time -f 'T %U %S' "$CDEGUARD" netpol test "$1" 2>&1 >/dev/null || true; } | grep '^T '; done |
    awk '{c=$2+$3; if (m == "" || c < m) m = c} END {printf "%.2f", m}'
}
plain_cpu=$(cpu_min "$big"); mesh_cpu=$(cpu_min "$mesh")
echo "  mesh layer cost in CPU time (least of 5): $(awk -v a="$mesh_cpu" -v b="$plain_cpu" 'BEGIN{printf "%.2f s (%.2f s with the mesh vs %.2f s without)", a-b, a, b}')"
echo "  $(grep -c '^FAIL' "$mesh/test.txt") failing subjects, $(grep -c 'closed by the mesh' "$mesh/test.txt") subjects with paths closed by the mesh, $(grep -c '^WARN  PCI DSS 4.2.1' "$mesh/test.txt") mTLS/plaintext findings"
echo "== generate: NetworkPolicies and AuthorizationPolicies from 20,000 flows (a third with HTTP requests) on the 5,000-pod mesh cluster"
flows="$OUT/netpol-5000-flows.ndjson"
rm -rf "$mesh" && python3 "$BENCH_DIR/netpol_gen.py" --pods 5000 --namespaces 200 --policies 1000 --mesh --flows 20000 --flows-file "$flows" --out "$mesh"
measure cdeguard-generate-5000-mesh "$RUNS" bash -c "'$CDEGUARD' netpol generate --flows '$flows' '$mesh' >'$mesh.generated.yaml'"
echo "  $(grep -c '^kind: NetworkPolicy' "$mesh.generated.yaml") NetworkPolicies, $(grep -c '^kind: AuthorizationPolicy' "$mesh.generated.yaml") AuthorizationPolicies"
echo "== dense: 5,000 pods / 200 namespaces / 1,000 policies, no default-deny"
dense="$OUT/netpol-5000-dense"
rm -rf "$dense" && python3 "$BENCH_DIR/netpol_gen.py" --pods 5000 --namespaces 200 --policies 1000 --default-deny 0 --out "$dense"
measure cdeguard-matrix-5000-dense "$RUNS" bash -c "'$CDEGUARD' netpol matrix '$dense' >'$dense/ours.txt'"
echo "  matrix lines: $(wc -l <"$dense/ours.txt")"

((NCA_TIMEOUT > 0)) || exit 0
scheme "$big"
measure nca-matrix-5000 0 timeout "$NCA_TIMEOUT" bash -c "cd '$big' && nca --scheme scheme.yaml"
if [[ -s "$big/nca.dot" ]]; then
  ratio nca-matrix-5000 cdeguard-matrix-5000
else
  read -r w _ <"$OUT/cdeguard-matrix-5000.time"
  echo "  NCA did not finish within ${NCA_TIMEOUT}s: cdeguard is more than $(awk -v t="$NCA_TIMEOUT" -v w="$w" 'BEGIN{printf "%.0f", t/(w<0.001?0.001:w)}')x faster"
fi
