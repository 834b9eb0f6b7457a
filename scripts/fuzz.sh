#!/usr/bin/env bash
# Runs the cargo-fuzz targets (fuzz/fuzz_targets/*.rs) for a given time each and prints,
# per target, the executions and the crashes found. Needs the nightly toolchain (rustup
# installs it) and cargo-fuzz (installed into .tools/ here).
# Usage: scripts/fuzz.sh [SECONDS per target, default 600] [TARGET ...]
# Crash inputs land in fuzz/artifacts/<target>/; copy each into fuzz/regressions/<target>/
# once fixed: `cargo test -p eingang-cli --test fuzz_regressions` replays them all.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SECS="${1:-600}"
shift || true
need_rust
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
if [ ! -x "$ROOT/.tools/bin/cargo-fuzz" ]; then
  say "cargo install cargo-fuzz (into .tools/)"
  cargo install --locked --root "$ROOT/.tools" cargo-fuzz
fi
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(cd fuzz && cargo fuzz list)
fi
say "building the fuzz targets (nightly, AddressSanitizer)"
(cd fuzz && cargo +nightly fuzz build -O)
printf '%-16s %12s %10s %8s\n' target executions exec/s crashes | tee fuzz/last-run.txt
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  log="$(mktemp)"
  # -rss_limit_mb: a decompression bomb that slips past our limits shows up as a crash.
  (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1) >"$log" 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  printf '%-16s %12s %10s %8s\n' "$t" "${runs:-?}" "${speed:-?}" "$((after - before))" | tee -a fuzz/last-run.txt
  if [ "$after" -gt "$before" ]; then
    grep -m3 -E 'panicked|ERROR: |SUMMARY' "$log" | sed 's/^/    /'
  fi
  rm -f "$log"
done
