#!/usr/bin/env bash
# Vulnerability database and matching (issue 4), cdeguard vs Trivy in one run:
#  1. database build from the full PyPA advisory database (target < 2 s), and PyPA + Go;
#  2. open time (target < 10 ms) and matching 10,000 packages (target < 50 ms), peak memory;
#  3. the peers' pinned Python environment (11 old dists, as in make-inputs.sh) scanned by
#     cdeguard (full PyPA data) and by Trivy (its local DB written by trivy_localdb.py with
#     the advisories for those versions): time, and Trivy's findings must be a subset of ours.
# Usage: bash bench/vulndb.sh [RUNS]   (RUNS: timed runs after one warm-up, default 5)
source "$(dirname "$0")/lib.sh"
RUNS="${1:-5}"
need_time
build_cdeguard
(cd "$ROOT" && cargo build --release -q -p cdeguard-vulndb --example vulndb_timings)
TIMINGS="$ROOT/target/release/examples/vulndb_timings"
PYPA="$SHARED/corpus/osv/pypa-advisory-database/vulns"
GO="$SHARED/corpus/osv/golang-vulndb/data/osv"
W="$OUT/vulndb"; rm -rf "$W"; mkdir -p "$W"

echo "== 1. database build"
measure cdeguard-build-pypa "$RUNS" "$CDEGUARD" db build --db "$W/pypa.cdgdb" --from "$PYPA"
tail -1 "$OUT/cdeguard-build-pypa.stdout"
measure cdeguard-build-pypa+go "$RUNS" "$CDEGUARD" db build --db "$W/all.cdgdb" --from "$PYPA" "$GO"
tail -1 "$OUT/cdeguard-build-pypa+go.stdout"
ls -l "$W/pypa.cdgdb" "$W/all.cdgdb" | awk '{printf "  %-40s %6.1f MiB\n", $9, $5/1048576}'

echo "== 2. open and match 10,000 packages"
python3 - "$PYPA" "$GO" >"$W/packages.tsv" <<'PY'
import json, pathlib, random, sys
random.seed(4)
pypa, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
names = [("PyPI", p.name) for p in sorted(pypa.iterdir())]
for f in sorted(go.glob("*.json"))[:1500]:
    for a in json.loads(f.read_text()).get("affected", []):
        names.append(("Go", a["package"]["name"]))
names = sorted(set(names))
# Realistic mix: a third of the packages have advisories, the rest are unknown to the DB.
rows = []
for i in range(10000):
    eco, name = random.choice(names) if i % 3 == 0 else ("PyPI", f"internal-lib-{i}")
    v = f"{random.randint(0, 4)}.{random.randint(0, 30)}.{random.randint(0, 20)}"
    rows.append(f"{eco}\t{name}\t{'v' + v if eco == 'Go' else v}")
print("\n".join(rows))
PY
# Matching runs on rayon workers (one per core); RAYON_NUM_THREADS=1 shows one core.
for i in 1 2 3; do "$TIMINGS" "$W/all.cdgdb" "$W/packages.tsv"; done | tee "$W/timings.txt"
for i in 1 2 3; do RAYON_NUM_THREADS=1 "$TIMINGS" "$W/all.cdgdb" "$W/packages.tsv"; done | tee -a "$W/timings.txt"

echo "== 3. the peers' pinned Python environment: cdeguard vs Trivy"
ENV="$W/pyenv"
SITE="$ENV/usr/local/lib/python3.11/dist-packages"
mkdir -p "$SITE" "$ENV/etc" "$ENV/var/lib/dpkg"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$ENV/etc/os-release"
: >"$ENV/var/lib/dpkg/status"
for pin in Django==2.2.0 pytz==2019.1 sqlparse==0.3.0 PyYAML==5.3 urllib3==1.24.1 requests==2.19.0 \
           Jinja2==2.10 MarkupSafe==1.1.1 idna==2.7 chardet==3.0.4 certifi==2018.4.16; do
  name=${pin%%==*}; version=${pin##*==}
  d="$SITE/${name}-${version}.dist-info"; mkdir -p "$d"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$name" "$version" >"$d/METADATA"
done
if command -v trivy >/dev/null; then
  python3 "$SHARED/peers/trivy_localdb.py" "$W/trivy-cache" >/dev/null
  measure trivy-vuln "$RUNS" trivy rootfs --quiet --scanners vuln --skip-db-update --offline-scan \
    --cache-dir "$W/trivy-cache" --format json --output "$W/trivy.json" "$ENV"
fi
measure cdeguard-vuln "$RUNS" "$CDEGUARD" scan "$ENV" --scanners vuln --db "$W/pypa.cdgdb" \
  --format json --output "$W/cdeguard.json" --no-cache
python3 - "$W" <<'PY'
import json, pathlib, sys
w = pathlib.Path(sys.argv[1])
ours = json.loads((w / "cdeguard.json").read_text())
ids = {}
for f in ours["findings"]:
    v = f.get("vulnerability")
    if v:
        ids.setdefault(v["package"].lower(), set()).update([v["id"], *v["aliases"]])
print(f"  cdeguard: {sum(1 for f in ours['findings'] if f.get('vulnerability'))} vulnerabilities in {len(ids)} packages")
t = w / "trivy.json"
if t.exists():
    theirs = json.loads(t.read_text())
    found = [(v["PkgName"].lower(), v["VulnerabilityID"]) for r in theirs.get("Results", []) for v in r.get("Vulnerabilities") or []]
    missing = [x for x in found if x[1] not in ids.get(x[0], set())]
    print(f"  trivy: {len(found)} vulnerabilities (its local DB holds 5 PyPI advisories); missed by cdeguard: {missing or 'none'}")
PY
[[ -f "$OUT/trivy-vuln.time" ]] && ratio trivy-vuln cdeguard-vuln
