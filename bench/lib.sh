# Shared helpers of the bench scripts (sourced). Times whole processes with GNU time.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" 2>/dev/null && pwd || true)}"
PEERS_BIN="${PEERS_BIN:-/opt/peers/bin}"
export PATH="$PEERS_BIN:$PATH" SYFT_CHECK_FOR_APP_UPDATE=false
OUT="${BENCH_OUT:-$ROOT/bench/out}"
mkdir -p "$OUT"

need_time() {
  [[ -x /usr/bin/time ]] || { apt-get install -y -q time >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q time; }; }
}

build_cdeguard() {
  (cd "$ROOT" && cargo build --release -q -p cdeguard-cli)
  CDEGUARD="$ROOT/target/release/cdeguard"
}

# measure NAME RUNS CMD... : one warm-up, then RUNS runs (RUNS=0: a single run, no warm-up);
# records median wall seconds and
# max peak RSS (KiB) in $OUT/NAME.time as "wall peak_kib".
measure() {
  local name="$1" runs="$2"; shift 2
  local walls=() peak=0 w m
  for i in $(seq 0 "$runs"); do
    # Wall time from bash's microsecond clock (GNU time's %e has 10 ms steps); peak
    # memory from GNU time.
    local start=$EPOCHREALTIME
    /usr/bin/time -o "$OUT/.t" -f '%M' "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" || true
    w=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{ printf "%.4f", b - a }')
    read -r m < <(tail -1 "$OUT/.t")
    ((i == 0 && runs > 0)) && continue
    walls+=("$w"); ((m > peak)) && peak=$m
  done
  local med
  med=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  echo "$med $peak" >"$OUT/$name.time"
  printf '  %-34s wall %8.3fs   peak %7.1f MiB\n' "$name" "$med" "$(awk -v k="$peak" 'BEGIN{print k/1024}')"
}

# ratio SLOW FAST : "SLOW/FAST" of the recorded wall times and peaks.
ratio() {
  local a b
  read -r a ap <"$OUT/$1.time"; read -r b bp <"$OUT/$2.time"
  awk -v a="$a" -v b="$b" -v ap="$ap" -v bp="$bp" -v n1="$1" -v n2="$2" \
    'BEGIN{ if (b < 0.001) b = 0.001; printf "  %-34s %7.1fx faster, %5.1fx less peak memory than %s\n", n2, a/b, ap/bp, n1 }'
}
