#!/usr/bin/env bash
# A year at the scan office (issue 24): three data folders as a station leaves them after
# 10 %, 50 % and 100 % of a year — 25, 125 and 250 batch days ending yesterday, each day
# 2,000 pages in 400 documents, 80 submissions, 2 drafts, 20,000 audit records, retention
# on with its default periods (crates/scalegen) — and on each, timed from outside:
#   - the user's commands, RUNS times each, p95 of the wall time: `eingang batch list`,
#     `outbox list`, `drafts list`, `submissions list` (the first page, as the app shows
#     it), and `eingang batch show` of a 2,000-page batch (what opening it reads);
#   - releasing a batch (`eingang batch release`, 20 imported pages, no OCR);
#   - `eingang audit verify` and `eingang backup` (time, throughput, peak memory);
#   - one batch day's purge (`eingang retention run`, the generator leaves the last day);
#   - the installed app (release build) under Xvfb: start to first screen, idle memory.
# The figures are what this script prints; the goals are checked at the end.
# Usage: scripts/bench-scale.sh [DAYS_FOR_100%] [RUNS]   (defaults 250 and 20)
#   BENCH_STORES=DIR keeps the three data folders in DIR (made there if missing, else used
#   as they are); BENCH_PHASE=generate only makes them, BENCH_PHASE=measure only measures.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
FULL="${1:-250}"
RUNS="${2:-20}"
apt_install xvfb xauth time bc
need_rust
say "building eingang, eingang-app and the generator (release)"
(cd ui && npm ci --silent >/dev/null 2>&1 || true; npx vite build --logLevel warn)
cargo build --release -p eingang-cli -p eingang-app -p eingang-scalegen --quiet
E="$ROOT/target/release/eingang"
APP="$ROOT/target/release/eingang-app"
GEN="$ROOT/target/release/eingang-scalegen"
WORK="$(mktemp -d /var/tmp/eingang-scale.XXXXXX)"
STORES="${BENCH_STORES:-$WORK}"
PHASE="${BENCH_PHASE:-all}"
mkdir -p "$STORES"
n=99; while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill "$XVFB" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data" EINGANG_LOG_STDERR=off

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# p95 (nearest rank) of the numbers on standard input
p95() { sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.95 + 0.999); print a[i] }'; }
# RUNS wall times (ms) of a command, its p95
timed() {
  local t0 t1
  for _ in $(seq "$RUNS"); do
    t0=$(ms); "$@" >/dev/null 2>&1 || die "failed: $*"; t1=$(ms)
    echo $((t1 - t0))
  done | p95
}
tree() { echo "$1"; for c in $(pgrep -P "$1"); do tree "$c"; done; }
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }

# The app on DIR: ms to the first screen (a new "first screen ready" line), idle PSS MiB.
app_start() {
  local dir="$1" before line pid t0 t1 total=0
  before=$(cat "$dir"/logs/eingang*.log 2>/dev/null | grep -c "first screen ready" || true)
  t0=$(ms)
  DISPLAY=":$n" "$APP" --data-dir "$dir" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 6000); do
    line=$(cat "$dir"/logs/eingang*.log 2>/dev/null | grep -c "first screen ready" || true)
    [ "$line" -gt "$before" ] && break
    sleep 0.01
  done
  t1=$(ms)
  [ "$line" -gt "$before" ] || { kill "$pid"; die "the app did not show its first screen on $dir"; }
  sleep 5
  for p in $(tree "$pid"); do total=$((total + $(pss "$p"))); done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo "$((t1 - t0)) $((total / 1024))"
}

# 20 pages to release on each folder (600 x 800 grey, 300 dpi)
mkdir -p "$WORK/pages"
python3 - "$WORK/pages" <<'PY'
import os, sys, zlib, struct
d = sys.argv[1]
def png(w, h, seed):
    rows = b"".join(b"\0" + bytes((x * 7 + y * 3 + seed) % 256 for x in range(w)) for y in range(h))
    c = lambda t, b: struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
    return b"\x89PNG\r\n\x1a\n" + c(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + c(b"pHYs", struct.pack(">IIB", 11811, 11811, 1)) + c(b"IDAT", zlib.compress(rows)) + c(b"IEND", b"")
for i in range(20):
    open(os.path.join(d, f"p{i:02d}.png"), "wb").write(png(600, 800, i))
PY

declare -A R
for pct in 10 50 100; do
  days=$(( FULL * pct / 100 ))
  D="$STORES/store-$pct"
  if [ ! -e "$D/generated" ]; then
    say "$pct %: $days batch days ending yesterday (retention on; the last day left for eingang retention run)"
    rm -rf "$D"
    "$GEN" "$D" --days "$days" --unpurged-days 1 | tail -3 | tee "$D.log"
    touch "$D/generated"
  else
    say "$pct %: the data folder made before ($D)"
    cat "$D.log" 2>/dev/null || true
  fi
  [ "$PHASE" != generate ] || continue
  db=$(du -sm "$D/eingang.db" | cut -f1)
  files=$(find "$D/blobs" -type f | wc -l)
  blobs=$(du -sm "$D/blobs" | cut -f1)
  echo "store: database $db MiB, $files blob files ($blobs MiB on disk)"
  R[$pct.size]="db ${db} MiB, ${files} files ${blobs} MiB"

  say "$pct %: one batch day's purge — eingang retention run"
  t0=$(ms); out=$("$E" --data-dir "$D" retention run 2>&1) || die "retention run: $out"; t1=$(ms)
  echo "$out" | tail -2
  R[$pct.purge]="$((t1 - t0)) ms"
  echo "after: $(find "$D/blobs" -type f | wc -l) blob files ($(du -sm "$D/blobs" | cut -f1) MiB)"

  say "$pct %: the lists (first page), p95 of $RUNS runs each"
  big=$("$E" --data-dir "$D" batch list --all | awk -F'\t' '$2 == "2000 pages" { print $1; exit }')
  [ -n "$big" ] || die "no 2,000-page batch in $D"
  for c in "batch list" "outbox list" "drafts list" "submissions list"; do
    # shellcheck disable=SC2086
    R[$pct.$c]=$(timed "$E" --data-dir "$D" $c)
    printf '  eingang %-18s p95 %4d ms\n' "$c" "${R[$pct.$c]}"
  done
  R[$pct.show]=$(timed "$E" --data-dir "$D" batch show "$big")
  printf '  eingang batch show (2,000 pages) p95 %4d ms\n' "${R[$pct.show]}"

  say "$pct %: releasing a batch of 20 pages"
  if [ "$pct" = 10 ]; then
    "$E" --data-dir "$D" profiles list --json | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin) if x["id"] == "standard"][0]
p["id"], p["name"] = "bench", "Benchmark"
p["processing"].update(ocr=False)
p["qc"]["four_eyes"] = False
print(json.dumps(p))' >"$WORK/bench-profile.json"
  fi
  "$E" --data-dir "$D" profiles save "$WORK/bench-profile.json" >/dev/null
  B=$("$E" --data-dir "$D" import "$WORK"/pages/*.png --profile bench 2>/dev/null | sed -n 's/^batch \([^:]*\):.*/\1/p')
  [ -n "$B" ] || die "import failed on $D"
  "$E" --data-dir "$D" batch separate "$B" >/dev/null
  "$E" --data-dir "$D" batch qc "$B" --all >/dev/null
  t0=$(ms)
  "$E" --data-dir "$D" batch release "$B" --title "Posteingang" --index dokumentart=Brief | tail -1
  t1=$(ms)
  R[$pct.release]=$((t1 - t0))
  echo "  eingang batch release: $((t1 - t0)) ms"

  say "$pct %: eingang audit verify, eingang backup"
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$E" --data-dir "$D" audit verify | tail -1
  read -r secs kb <"$WORK/t"
  R[$pct.verify]="${secs} s, peak ${kb} KiB"
  echo "  audit verify: ${R[$pct.verify]}"
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$E" --data-dir "$D" backup "$WORK/backup-$pct" | tail -1
  read -r secs kb <"$WORK/t"
  mib=$(du -sm "$WORK/backup-$pct" | cut -f1)
  rate=$(echo "scale=1; $mib / ($secs + 0.001)" | bc)
  R[$pct.backup]="${mib} MiB in ${secs} s (${rate} MiB/s), peak ${kb} KiB"
  echo "  backup: ${R[$pct.backup]}"
  rm -rf "$WORK/backup-$pct"

  say "$pct %: the app (release) — start to first screen, idle memory (3 starts, median)"
  starts=(); mems=()
  for _ in 1 2 3; do
    read -r s m < <(app_start "$D")
    starts+=("$s"); mems+=("$m")
    echo "  first screen after $s ms, idle $m MiB PSS"
  done
  R[$pct.start]=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 2p)
  R[$pct.mem]=$(printf '%s\n' "${mems[@]}" | sort -n | sed -n 2p)
  # measured once: a kept folder is not measured again
  [ -z "${BENCH_STORES:-}" ] || rm -rf "$D"
done
[ "$PHASE" != generate ] || exit 0

say "summary (p95 in ms; 10 % / 50 % / 100 % of a year)"
row() { printf '%-34s %10s %10s %10s\n' "$1" "${R[10.$2]}" "${R[50.$2]}" "${R[100.$2]}"; }
row "batch list" "batch list"
row "outbox list" "outbox list"
row "drafts list" "drafts list"
row "submissions list" "submissions list"
row "batch show (2,000 pages)" show
row "batch release (20 pages)" release
row "app start to first screen (ms)" start
row "app idle memory (MiB PSS)" mem
for k in size purge verify backup; do
  for pct in 10 50 100; do printf '%-8s %3s %%: %s\n' "$k" "$pct" "${R[$pct.$k]}"; done
done
fail=0
for k in "batch list" "outbox list" "drafts list" "submissions list" show; do
  a=${R[10.$k]}; b=${R[100.$k]}
  if [ "$b" -gt 100 ]; then echo "GOAL MISSED: $k p95 ${b} ms at 100 % (goal ≤ 100 ms)"; fail=1; fi
  if [ $((b * 10)) -gt $((a * 15)) ]; then echo "GOAL MISSED: $k ${b} ms at 100 % is more than 1.5 × ${a} ms at 10 %"; fail=1; fi
done
lo=${R[10.mem]}; hi=${R[100.mem]}
if [ $((hi * 10)) -gt $((lo * 11)) ] || [ $((hi * 10)) -lt $((lo * 9)) ]; then
  echo "GOAL MISSED: app memory ${lo} MiB at 10 % and ${hi} MiB at 100 % differ by more than 10 %"; fail=1
fi
[ "$fail" = 0 ] && echo "all goals met"
