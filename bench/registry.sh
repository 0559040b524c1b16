#!/usr/bin/env bash
# Pulling from a registry: the peers' Debian bookworm OCI layout pushed (skopeo) to a
# docker-registry on loopback, then scanned by reference.
#   Same result: purls of the pulled image vs the same layout read locally (cdeguard),
#   and the package count Syft reports for the same registry reference.
#   Cache: layer blob GETs of a cold scan and of a warm rescan (from the access log).
#   Speed: wall time and peak memory of the cold pull+scan and of the warm rescan.
# Needs: docker-registry and skopeo (.ci/setup), the peers' inputs (make-inputs.sh).
# CDEGUARD=path/to/cdeguard skips the release build.
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-3}"
IN="${PEERS_INPUTS:-/opt/peers/inputs}"
need_time
[[ -n "${CDEGUARD:-}" ]] || build_cdeguard

REG="$OUT/registry"
rm -rf "$REG" && mkdir -p "$REG"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ADDR="127.0.0.1:$PORT"
printf 'version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "%s"}\n' \
  "$REG/storage" "$ADDR" >"$REG/config.yml"
/usr/bin/docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
REGISTRY_PID=$!
trap 'kill "$REGISTRY_PID"' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.1; done
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$IN/oci-layout:bookworm" "docker://$ADDR/debian:bookworm"
REF="$ADDR/debian:bookworm"
LAYERS="$(python3 - "$IN/oci-layout" <<'EOF'
import json, sys
root = sys.argv[1]
blob = lambda d: json.load(open(f"{root}/blobs/{d.replace(':', '/')}"))
manifest = blob(json.load(open(f"{root}/index.json"))["manifests"][0]["digest"])
print(" ".join(layer["digest"] for layer in manifest["layers"]))
EOF
)"
layer_gets() {
  local n=0 digest
  for digest in $LAYERS; do n=$((n + $(grep -c "\"GET /v2/debian/blobs/$digest HTTP" "$REG/log" || true))); done
  echo "$n"
}

CACHE="$OUT/registry-cache"
scan() { XDG_CACHE_HOME="$CACHE" "$CDEGUARD" scan --scanners config,vuln --format cyclonedx --output "$2" --insecure-registry "$ADDR" "$1"; }
export -f scan; export CDEGUARD CACHE ADDR

echo "== registry pull: $REF ($(echo "$LAYERS" | wc -w) layers)"
rm -rf "$CACHE"
scan "$REF" "$OUT/registry-pulled.cdx.json" 2>/dev/null || true
echo "  layer blob GETs, cold scan:          $(layer_gets)"
before="$(layer_gets)"
scan "$REF" "$OUT/registry-warm.cdx.json" 2>/dev/null || true
echo "  layer blob GETs, warm rescan:        $(($(layer_gets) - before))"
rm -rf "$CACHE"
scan "$IN/oci-layout" "$OUT/registry-local.cdx.json" 2>/dev/null || true
python3 - "$OUT/registry-pulled.cdx.json" "$OUT/registry-local.cdx.json" <<'EOF'
import json, sys
purls = lambda p: {c.get("purl") for c in json.load(open(p)).get("components", []) if c.get("purl")}
pulled, local = purls(sys.argv[1]), purls(sys.argv[2])
print(f"  purls pulled / local layout:        {len(pulled)} / {len(local)}, identical: {pulled == local}")
EOF
if command -v syft >/dev/null; then
  SYFT_REGISTRY_INSECURE_USE_HTTP=true syft -q "registry:$REF" -o json >"$OUT/registry-syft.json" 2>/dev/null || true
  python3 -c 'import json,sys; a=json.load(open(sys.argv[1])).get("artifacts",[]); print(f"  syft packages (same reference):      {len(a)}")' "$OUT/registry-syft.json" || true
fi

echo "== speed (median of $RUNS)"
measure registry-cold "$RUNS" bash -c 'rm -rf "$CACHE"; scan "$0" /dev/null' "$REF"
measure registry-warm "$RUNS" bash -c 'scan "$0" /dev/null' "$REF"
measure local-layout-cold "$RUNS" bash -c 'rm -rf "$CACHE"; scan "$0" /dev/null' "$IN/oci-layout"
