#!/usr/bin/env bash
# Audit trail throughput (issue 7), in one run:
#  - durable append (group commit + fsync, hash chain, Merkle tree, signed checkpoints) of
#    N records from 1 writer and from 4 concurrent writer processes (the file lock
#    serialises them);
#  - the cost floor: the same NDJSON lines appended to a plain file with fsync per batch of
#    the same size (8192), and the overhead ratio;
#  - offline verification of the whole log (records/s) and one inclusion proof.
# Usage: bash bench/audit.sh [N]   (default 400000 records)
source "$(dirname "$0")/lib.sh"
N="${1:-400000}"
need_time
build_cdeguard
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

echo "== append $N records"
measure audit-append-1-writer 0 sh -c "'$CDEGUARD' audit --log '$W/log1' append --key '$W/key' < '$W/records.ndjson' >/dev/null"
echo "  1 writer:  $(rate "$N" "$(wall audit-append-1-writer)") records/s"
measure audit-append-4-writers 0 sh -c "for k in 0 1 2 3; do '$CDEGUARD' audit --log '$W/log4' append --key '$W/key' < '$W/part'\$k.ndjson >/dev/null & done; wait"
echo "  4 writers: $(rate "$N" "$(wall audit-append-4-writers)") records/s"
measure plain-jsonl-fsync 0 python3 -c "
import os, sys
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, 'rb').read().splitlines(keepends=True)
fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
for i in range(0, len(lines), 8192):
    os.write(fd, b''.join(lines[i:i + 8192])); os.fsync(fd)
os.close(fd)" "$W/records.ndjson" "$W/plain.ndjson"
echo "  plain NDJSON + fsync per 8192: $(rate "$N" "$(wall plain-jsonl-fsync)") records/s"
awk -v a="$(wall audit-append-1-writer)" -v b="$(wall plain-jsonl-fsync)" \
  'BEGIN{ if (b < 0.001) b = 0.001; printf "  overhead of hashing, Merkle tree and signing over the floor: %.2fx\n", a / b }'

echo "== verify and prove"
measure audit-verify 0 "$CDEGUARD" audit --log "$W/log1" verify --public-key "$W/key.pub"
echo "  verify: $(rate "$N" "$(wall audit-verify)") records/s ($(tail -1 "$OUT/audit-verify.stdout"))"
measure audit-prove 0 "$CDEGUARD" audit --log "$W/log1" prove --seq $((N / 2))
echo "  one inclusion proof (whole process, including start-up): $(wall audit-prove) s"
