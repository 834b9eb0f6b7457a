#!/usr/bin/env bash
# Start-up and idle-memory figures of the app (packaging issue), printed:
#   - time from exec to the first screen shown (the UI reports it; the app logs
#     "first screen ready ms=…"), measured from outside as wall time, RUNS times on a fresh
#     data folder each (the first run after a cache drop, if the kernel allows one, is cold);
#   - idle memory 5 s after the first screen: PSS of the app process and every WebKit
#     process under it (from /proc/<pid>/smaps_rollup), summed.
# Usage: scripts/bench-start.sh [APP] [RUNS]   (default: target/release/eingang-app, 5)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
APP="${1:-$ROOT/target/release/eingang-app}"
RUNS="${2:-5}"
[ -x "$APP" ] || die "$APP is missing: build it with scripts/package.sh (or cargo build --release -p eingang-app)"
apt_install xvfb xauth
WORK="$(mktemp -d)"
n=99; while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill "$XVFB" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done

tree() { # a pid and all its descendants
  echo "$1"
  for c in $(pgrep -P "$1"); do tree "$c"; done
}
pss() { # kB
  awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}

cold="no (the kernel refused to drop caches)"
if sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then cold="yes (page cache dropped before run 1)"; fi
walls=()
for i in $(seq 1 "$RUNS"); do
  data="$WORK/data-$i"
  start=$(date +%s%N)
  # No key store under Xvfb: the data key is wrapped under a passphrase (Argon2id at start).
  DISPLAY=":$n" EINGANG_LOG_STDERR=off EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data" \
    "$APP" --data-dir "$data" >/dev/null 2>&1 &
  pid=$!
  line=""
  for _ in $(seq 3000); do
    line=$(grep -h "first screen ready" "$data"/logs/eingang*.log 2>/dev/null | head -1 || true)
    [ -n "$line" ] && break
    sleep 0.01
  done
  end=$(date +%s%N)
  [ -n "$line" ] || { kill "$pid"; die "run $i: the first screen never showed (see $data/logs)"; }
  wall=$(((end - start) / 1000000))
  inside=$(sed -E 's/.*ms=([0-9]+).*/\1/' <<<"$line")
  walls+=("$wall")
  printf 'run %d: first screen after %d ms (the app counts %d ms from its start)\n' "$i" "$wall" "$inside"
  if [ "$i" -eq "$RUNS" ]; then
    sleep 5
    total=0
    for p in $(tree "$pid"); do
      kb=$(pss "$p")
      total=$((total + kb))
      printf '  %-28s pid %-7d PSS %6d KiB\n' "$(tr -d '\0' <"/proc/$p/comm" 2>/dev/null)" "$p" "$kb"
    done
    printf 'idle memory (app + WebKit processes, PSS): %d MiB\n' "$((total / 1024))"
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
median=$(sed -n "$(((RUNS + 1) / 2))p" <<<"$sorted")
printf 'start to first screen: run 1 %d ms (cold: %s), median of %d runs %d ms\n' "${walls[0]}" "$cold" "$RUNS" "$median"
