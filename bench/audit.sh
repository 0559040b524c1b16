#!/usr/bin/env bash
# Audit trail throughput (issue 7), in one run:
#  - durable append (group commit + fsync, hash chain, Merkle tree, signed checkpoints) of
#    N records from 1 writer and from 4 concurrent writer processes (the file lock
#    serialises them);
#  - two cost floors, by `examples/plain_append.rs`, which reads stdin through the same
#    code as `cdeguard audit append` (cdeguard_audit::ingest: same reader, same groups of
#    at most 8192 lines, same reader thread) and appends to a plain NDJSON file with one
#    fdatasync per group:
#      raw:     the input lines as they are (no parsing, validation or stamping);
#      records: each line parsed, validated and stamped as the audit log does (sequence
#               number, time, origin, canonical JSON: the same bytes as the log's records)
#               and written as one JSON line, without framing, hash chain, Merkle tree or
#               signatures;
#    the overhead of hashing, the Merkle tree and signing is durable append (1 writer) /
#    records floor; append / raw floor adds what parsing and stamping cost (wall time);
#  - offline verification of the whole log (records/s);
#  - proof generation in-process (`examples/proof_timing.rs`: the log opened once, 1000
#    inclusion proofs of random records and 1000 consistency proofs between random
#    checkpoints; median and p99), and one `audit prove` process for reference.
# Usage: bash bench/audit.sh [N]   (default 400000 records)
# BASELINE_CDEGUARD=/path/to/older/cdeguard also measures that binary's appends (before/after).
source "$(dirname "$0")/lib.sh"
N="${1:-400000}"
need_time
build_cdeguard
(cd "$ROOT" && cargo build --release -q -p cdeguard-audit --examples)
EXAMPLES="$ROOT/target/release/examples"
W="$OUT/audit"; rm -rf "$W"; mkdir -p "$W"
python3 - "$N" "$W" <<'PY'
import json, sys
n, w = int(sys.argv[1]), sys.argv[2]
lines = [json.dumps({"actor": f"svc-{i % 17}", "action": "scan.run", "resource": f"payments/api-{i % 101}",
                     "outcome": "success", "details": {"findings": i % 13, "inputs": ["k8s/app.yaml"]}})
         for i in range(n)]
open(f"{w}/records.ndjson", "w").write("\n".join(lines) + "\n")
for k in range(4):
    open(f"{w}/part{k}.ndjson", "w").write("\n".join(lines[k::4]) + "\n")
PY
"$CDEGUARD" audit keygen --out "$W/key" >/dev/null

rate() { awk -v n="$1" -v t="$2" 'BEGIN{ if (t < 0.001) t = 0.001; printf "%.0f", n / t }'; }
wall() { cut -d' ' -f1 "$OUT/$1.time"; }
# cpu NAME CMD...: runs CMD once more and prints its CPU seconds (user + system, all
# threads): steadier than wall time on a shared machine, and what the overhead costs.
cpu() {
  local name="$1"; shift
  /usr/bin/time -o "$OUT/$name.cpu" -f '%U %S' "$@" >/dev/null 2>&1 || true
  awk '{ printf "%.2f", $1 + $2 }' "$OUT/$name.cpu"
}

echo "== append $N records"
if [[ -n "${BASELINE_CDEGUARD:-}" ]]; then
  measure audit-append-1-writer-baseline 0 sh -c "'$BASELINE_CDEGUARD' audit --log '$W/base1' append --key '$W/key' < '$W/records.ndjson' >/dev/null"
  echo "  baseline 1 writer:  $(rate "$N" "$(wall audit-append-1-writer-baseline)") records/s"
  measure audit-append-4-writers-baseline 0 sh -c "for k in 0 1 2 3; do '$BASELINE_CDEGUARD' audit --log '$W/base4' append --key '$W/key' < '$W/part'\$k.ndjson >/dev/null & done; wait"
  echo "  baseline 4 writers: $(rate "$N" "$(wall audit-append-4-writers-baseline)") records/s"
fi
# Each run appends to a fresh log (or file) named by its shell's pid; `sync` before each
# measurement so that no run pays for the write-back of the one before.
sync
measure audit-append-1-writer 5 sh -c "'$CDEGUARD' audit --log '$W/log1.'\$\$ append --key '$W/key' < '$W/records.ndjson' >/dev/null"
echo "  1 writer:  $(rate "$N" "$(wall audit-append-1-writer)") records/s"
sync
measure audit-append-4-writers 3 sh -c "for k in 0 1 2 3; do '$CDEGUARD' audit --log '$W/log4.'\$\$ append --key '$W/key' < '$W/part'\$k.ndjson >/dev/null & done; wait"
echo "  4 writers: $(rate "$N" "$(wall audit-append-4-writers)") records/s"
sync
measure plain-raw-fsync 5 sh -c "'$EXAMPLES/plain_append' raw '$W/plain-raw.'\$\$ 8192 < '$W/records.ndjson'"
echo "  raw floor (input lines copied, same stdin path, fdatasync per group): $(rate "$N" "$(wall plain-raw-fsync)") records/s"
sync
measure plain-records-fsync 5 sh -c "'$EXAMPLES/plain_append' records '$W/plain-records.'\$\$ 8192 < '$W/records.ndjson'"
echo "  records floor (same records parsed, stamped and written as JSON lines, fdatasync per group): $(rate "$N" "$(wall plain-records-fsync)") records/s"
times() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b < 0.001) b = 0.001; printf "%.2fx", a / b }'; }
echo "  overhead of hashing, Merkle tree and signing (append / records floor): $(times "$(wall audit-append-1-writer)" "$(wall plain-records-fsync)")"
echo "  overhead over copying the input (append / raw floor): $(times "$(wall audit-append-1-writer)" "$(wall plain-raw-fsync)")"
rm -rf "$W/cpu1" "$W/cpu-raw.ndjson" "$W/cpu-records.ndjson"
sync
append_cpu=$(cpu audit-append-1-writer sh -c "'$CDEGUARD' audit --log '$W/cpu1' append --key '$W/key' < '$W/records.ndjson'")
sync
records_cpu=$(cpu plain-records-fsync sh -c "'$EXAMPLES/plain_append' records '$W/cpu-records.ndjson' 8192 < '$W/records.ndjson'")
sync
raw_cpu=$(cpu plain-raw-fsync sh -c "'$EXAMPLES/plain_append' raw '$W/cpu-raw.ndjson' 8192 < '$W/records.ndjson'")
echo "  CPU seconds (one more run each): durable append $append_cpu, records floor $records_cpu ($(times "$append_cpu" "$records_cpu")), raw floor $raw_cpu"
LOG1=$(ls -td "$W"/log1.* | head -1)
echo "  bytes written: log $(du -sb "$LOG1" | cut -f1), records floor $(du -sb "$W/cpu-records.ndjson" | cut -f1), raw floor $(du -sb "$W/cpu-raw.ndjson" | cut -f1)"

echo "== verify and prove"
measure audit-verify 3 "$CDEGUARD" audit --log "$LOG1" verify --public-key "$W/key.pub"
echo "  verify: $(rate "$N" "$(wall audit-verify)") records/s ($(tail -1 "$OUT/audit-verify.stdout"))"
"$EXAMPLES/proof_timing" "$LOG1" 1000 | sed 's/^/  /'
measure audit-prove 0 "$CDEGUARD" audit --log "$LOG1" prove --seq $((N / 2))
echo "  one inclusion proof (whole process, including start-up): $(wall audit-prove) s"
