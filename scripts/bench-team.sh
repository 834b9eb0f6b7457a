#!/usr/bin/env bash
# The scan office as a team (issue 26), printed: one PostgreSQL (Debian's, TLS on loopback,
# scripts/team/setup.sh) and stations as separate processes running the commands a user
# runs (`eingang`, release build), each on its own data folder and machine file:
#   1. a day at once: a capture station imports PAGES pages (default 2,000; distinct letters
#      made by scripts/team/pages.py) in batches of 100, cuts them into documents of two
#      pages and hands each batch over, while two index desks take the documents from the
#      queue, index them and finish them, and a third desk listens (`team upload --watch`):
#      pages/s captured (import + hand-over), documents/s indexed through the queue, the
#      `team take` command's latency (p50/p95: the claim with the batch brought to the
#      desk), and the time from a desk's `team done` to the listening desk hearing it;
#   2. kill -9: one desk killed at random moments (KILLS times) while the other works on, a
#      capture station's hand-over killed mid-upload and repeated, then the server itself
#      killed (immediate shutdown) mid-work and started again — and the counts: every
#      document indexed once, none twice, none lost, every page on the server once;
#   3. one delivery (in a database of its own): a fresh batch (200 pages, read by OCR at
#      the capture station) indexed,
#      checked and released through the queue, then delivered into one DMS folder by two
#      deliver stations at once (`team deliver --watch`), one of them killed -9 DKILLS times
#      (default 5) — documents/s delivered, and the counts: every document in the folder
#      once, none delivered twice, none left.
# Usage: scripts/bench-team.sh [PAGES]   (BENCH_KILLS, default 10; BENCH_WORK keeps the folder;
# BENCH_EINGANG names another build for a trial run)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PAGES="${1:-2000}"
KILLS="${BENCH_KILLS:-10}"
DKILLS="${BENCH_DKILLS:-5}"
PER_BATCH=100
apt_install postgresql-15 python3-pil openssl
need_rust
export EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data" EINGANG_LOG_STDERR=off
WORK="${BENCH_WORK:-$(mktemp -d)}"
chmod 755 "$WORK" # the server runs as `postgres` and must reach its folder in it
BIN=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3
AS=()
[ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
PG_PID=
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  [ -z "$PG_PID" ] || kill "$PG_PID" 2>/dev/null || true
  [ -n "${BENCH_WORK:-}" ] || rm -rf "$WORK"
  [ -z "${MADE_ETC:-}" ] || rmdir /etc/eingang 2>/dev/null || true
}
trap cleanup EXIT
if [ -n "${BENCH_EINGANG:-}" ]; then
  E=$BENCH_EINGANG # a trial run of this script with another build
else
  say "building eingang (release)"
  cargo build --release -p eingang-cli --bin eingang --quiet
  E="$ROOT/target/release/eingang"
fi
now() { date +%s.%N; }
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

say "PostgreSQL 15 on loopback (TLS)"
PORT=$(free_port)
bash scripts/team/setup.sh "$WORK/pg" "$PORT"
pg_start() {
  "${AS[@]}" "$BIN/postgres" -D "$WORK/pg/data" >"$WORK/pg.log" 2>&1 &
  PG_PID=$!
  for _ in $(seq 100); do
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && return 0
    sleep 0.1
  done
  die "PostgreSQL did not start: $(tail -5 "$WORK/pg.log")"
}
pg_start
psql_admin() {
  PGPASSWORD=Pw-team-admin-2026 "$BIN/psql" -X -q -t -A \
    "host=127.0.0.1 port=$PORT user=eingang_admin dbname=${2:-scanstelle} sslmode=require" -c "$1"
}
psql_admin "CREATE ROLE scan LOGIN PASSWORD 'Pw-scan-bench-2026'" postgres
psql_admin "CREATE DATABASE scanstelle OWNER scan" postgres

# Each station is a machine of its own: a release build reads the machine's file only from
# /etc/eingang/config.toml, so every command of a station runs in a mount namespace of its
# own with the station's folder bound there (root only; the host's /etc is not touched,
# beyond an empty /etc/eingang made as the mount point where there is none).
[ "$(id -u)" = 0 ] || die "the team benchmark runs as root (each station in a mount namespace of its own)"
MADE_ETC=
if [ ! -d /etc/eingang ]; then mkdir /etc/eingang; MADE_ETC=1; fi
# station NAME ROLES [CLAIM_SECS] [MORE]: a data folder with its machine file (MORE: more
# TOML after [team], e.g. a target) and the password.
station() {
  local dir="$WORK/$1"
  mkdir -p "$dir/etc"
  cat >"$dir/etc/config.toml" <<EOT
[station]
name = "$1"

[team]
host = "127.0.0.1"
port = $PORT
database = "${TEAM_DB:-scanstelle}"
user = "scan"
ca_bundle = "$WORK/pg/ca.crt"
roles = [$2]
claim_secs = ${3:-900}
${4:-}
EOT
  printf 'Pw-scan-bench-2026\n' | at "$1" team password >/dev/null 2>&1
}
# at STATION ARGS…: the command at that station (its machine file at /etc/eingang).
at() {
  local s=$1; shift
  unshare -m --propagation private sh -c 'mount --bind "$0" /etc/eingang && exec "$@"' \
    "$WORK/$s/etc" "$E" --data-dir "$WORK/$s" "$@"
}
echo '{"every_n_pages": 2}' >"$WORK/rules.json"

# capture STATION FIRST COUNT NAME: imports pages FIRST.. into a batch, cuts it, hands it over.
capture() {
  local files=() i
  for ((i = $2; i < $2 + $3; i++)); do files+=("$WORK/pages/p$i.png"); done
  local id
  id=$(at "$1" --user anna import --profile text-sw --name "$4" "${files[@]}" 2>/dev/null | sed -n 's/^batch \([0-9a-f-]*\):.*/\1/p' | head -1)
  [ -n "$id" ] || die "import into $4 failed"
  at "$1" --user anna batch separate "$id" --rules "$WORK/rules.json" >/dev/null
  echo "$id"
}

# desk STATION PERSON LOG STOPFILE: takes index work until the queue is empty and STOPFILE exists.
desk() {
  local st=$1 who=$2 log=$3 stop=$4
  while :; do
    local t0 t1 taken claim batch doc t2 t3
    t0=$(now)
    taken=$(at "$st" --user "$who" team take index --json 2>>"$log.err") || { sleep 0.5; continue; }
    t1=$(now)
    if [ "$taken" = "null" ]; then
      [ -e "$stop" ] && return 0
      sleep 0.2
      continue
    fi
    read -r claim batch doc < <($PY -c 'import json,sys; t=json.loads(sys.argv[1]); print(t["claim"], t["batch"], t["document"])' "$taken")
    echo "take $t0 $t1" >>"$log"
    at "$st" --user "$who" batch index "$batch" --doc "$doc" dokumentart=Antrag "betreff=Antrag $claim" >/dev/null 2>>"$log.err" || true
    t2=$(now)
    if at "$st" --user "$who" team done "$claim" >/dev/null 2>>"$log.err"; then
      t3=$(now)
      echo "done $t2 $t3 $batch" >>"$log"
    fi
  done
}

say "$PAGES distinct pages (letters, grey, 100 dpi)"
$PY scripts/team/pages.py "$WORK/pages" "$PAGES"
station capture '"capture"'
station desk1 '"index"'
station desk2 '"index"'
station lead '"check"'

say "1. a day at once: capture, two index desks, a listening desk"
( at lead team upload --watch | while IFS= read -r line; do echo "$(now) $line"; done >"$WORK/heard.log" ) &
LISTEN=$!
rm -f "$WORK/stop"
desk desk1 bert "$WORK/desk1.log" "$WORK/stop" &
D1=$!
desk desk2 carla "$WORK/desk2.log" "$WORK/stop" &
D2=$!
T0=$(now)
for ((b = 0; b * PER_BATCH < PAGES; b++)); do
  n=$((PAGES - b * PER_BATCH)); [ "$n" -gt "$PER_BATCH" ] && n=$PER_BATCH
  id=$(capture capture $((b * PER_BATCH)) "$n" "Post $b")
  at capture --user anna team hand-over "$id" --json >/dev/null
done
T1=$(now)
touch "$WORK/stop"
wait "$D1" "$D2"
T2=$(now)
pkill -f "team upload --watch" 2>/dev/null || true
{ kill "$LISTEN"; wait "$LISTEN"; } 2>/dev/null || true
DOCS=$(psql_admin "SELECT count(*) FROM team_work WHERE step = 'index' AND state = 'done'")
$PY - "$WORK" "$PAGES" "$T0" "$T1" "$T2" "$DOCS" <<'PY'
import sys, statistics
work, pages, t0, t1, t2, docs = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6]), int(sys.argv[6])
takes, dones = [], []
for desk in ("desk1", "desk2"):
    for line in open(f"{work}/{desk}.log"):
        f = line.split()
        if f[0] == "take": takes.append(float(f[2]) - float(f[1]))
        if f[0] == "done": dones.append((float(f[1]), float(f[2]), f[3]))
heard = []
for line in open(f"{work}/heard.log"):
    f = line.split()
    if "changed at another desk" in line: heard.append((float(f[0]), f[-1]))
lags = []
for start, end, batch in dones:
    later = [t for t, b in heard if b == batch and t >= start]
    if later: lags.append(min(later) - start)
def q(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] if xs else float("nan")
first_take = min(float(l.split()[1]) for d in ("desk1", "desk2") for l in open(f"{work}/{d}.log") if l.startswith("take"))
print(f"captured: {pages} pages in {t1 - t0:.1f} s = {pages / (t1 - t0):.1f} pages/s (import, cut, hand-over; {pages // 100} batches)")
print(f"indexed through the queue: {docs} documents by 2 desks in {t2 - first_take:.1f} s = {docs / (t2 - first_take):.2f} documents/s (take + index + done, while capture ran)")
print(f"`eingang team take index` (claim + batch brought to the desk): p50 {q(takes, .5) * 1000:.0f} ms, p95 {q(takes, .95) * 1000:.0f} ms over {len(takes)} takes")
print(f"a desk's `team done` heard at the listening desk: p50 {q(lags, .5) * 1000:.0f} ms, p95 {q(lags, .95) * 1000:.0f} ms after the command started ({len(lags)} of {len(dones)} dones matched)")
PY
psql_admin "SELECT 'pages on the server: ' || count(*) FROM team_pages"

say "2. kill -9: a desk killed $KILLS times at random moments, a hand-over cut mid-upload, the server killed mid-work"
station kdesk1 '"index"' 10
station kdesk2 '"index"' 10
station kcap '"capture"'
rm -f "$WORK/kstop"
# A batch of 200 new pages (100 documents) for the killing.
$PY scripts/team/pages.py "$WORK/pages" 200 "$PAGES"
KB=$(capture kcap "$PAGES" 200 "Kill")
# The hand-over killed while it uploads, then repeated.
( at kcap --user anna team hand-over "$KB" --json >/dev/null 2>&1 ) &
HP=$!
sleep 0.$((RANDOM % 9 + 1))
kill -9 "$HP" 2>/dev/null && echo "hand-over killed mid-upload" || echo "hand-over finished before the kill"
wait "$HP" 2>/dev/null || true
at kcap --user anna team upload --json
at kcap --user anna team hand-over "$KB" --json >/dev/null 2>&1 || true
desk kdesk2 carla "$WORK/kdesk2.log" "$WORK/kstop" &
K2=$!
kills=0
while [ "$kills" -lt "$KILLS" ]; do
  setsid bash -c "$(declare -f desk at now); E='$E' WORK='$WORK' PY='$PY' desk kdesk1 bert '$WORK/kdesk1.log' '$WORK/kstop-never'" &
  KP=$!
  sleep "$($PY -c 'import random; print(round(random.uniform(0.3, 2.5), 2))')"
  kill -9 -- "-$KP" 2>/dev/null || kill -9 "$KP" 2>/dev/null || true
  wait "$KP" 2>/dev/null || true
  kills=$((kills + 1))
  if [ "$kills" = $((KILLS / 2)) ]; then
    # The server and every backend at once (transactions in flight die with them); then
    # started again: crash recovery, and the desks go on.
    PM=$(head -1 "$WORK/pg/data/postmaster.pid")
    kill -9 "$PM" $(pgrep -P "$PM") 2>/dev/null || true
    wait "$PG_PID" 2>/dev/null || true
    sleep 1
    echo "server killed (kill -9 of the postmaster and its backends) mid-work; started again"
    pg_start
  fi
done
echo "desk killed $kills times"
# The killed desk's claims run out (10 s) and go to the other desk, which finishes.
sleep 11
touch "$WORK/kstop"
wait "$K2"
desk kdesk1 bert "$WORK/kdesk1.log" "$WORK/kstop"
psql_admin "SELECT 'documents of the killed batch: ' || count(*) || ', indexed: ' || count(*) FILTER (WHERE state = 'done') || ', still open: ' || count(*) FILTER (WHERE state = 'open') FROM team_work WHERE step = 'index' AND batch = '$KB'"
psql_admin "SELECT 'finished twice: ' || count(*) FROM (SELECT item FROM team_events WHERE action = 'indexed' AND batch = '$KB' GROUP BY item HAVING count(*) > 1) t"
psql_admin "SELECT 'pages of the killed batch on the server: ' || count(*) || ' (of 200)' FROM team_pages WHERE batch = '$KB'"
psql_admin "SELECT 'event log: ' || count(*) || ' entries' FROM team_events"
at lead team check | tail -1

say "3. one delivery: a batch released through the queue, delivered by two stations at once, one killed $DKILLS times"
mkdir -p "$WORK/dms"
DMS="[[target]]
id = \"dms\"
kind = \"folder\"
path = \"$WORK/dms\""
# A database of its own: the first two parts left work (checks, releases of batches never
# read by OCR) that is not this part's.
psql_admin "CREATE DATABASE ausgang OWNER scan" postgres
export TEAM_DB=ausgang
station dcap '"capture"'
station dlead '"index", "check", "release"'
station dsend1 '"deliver"' 10 "$DMS"
station dsend2 '"deliver"' 10 "$DMS"
$PY scripts/team/pages.py "$WORK/pages" 200 $((PAGES + 200))
DB=$(capture dcap $((PAGES + 200)) 200 "Ausgang")
at dcap --user anna ocr run --batch "$DB" >/dev/null 2>&1
at dcap --user anna team hand-over "$DB" --json >/dev/null
# work STEP: every open piece of STEP at the lead desk (another person than who scanned).
work() {
  local t claim batch doc
  while :; do
    t=$(at dlead --user dieter team take "$1" --json)
    [ "$t" = null ] && return 0
    read -r claim batch doc < <($PY -c 'import json,sys; t=json.loads(sys.argv[1]); print(t["claim"], t["batch"], t["document"])' "$t")
    case $1 in
      index) at dlead --user dieter batch index "$batch" --doc "$doc" dokumentart=Antrag "betreff=Ausgang $claim" >/dev/null ;;
      check) at dlead --user dieter batch qc "$batch" --pass "$doc" >/dev/null ;;
      release) at dlead --user dieter batch release "$batch" --title "Ausgang" >/dev/null ;;
    esac
    at dlead --user dieter team done "$claim" >/dev/null
  done
}
work index
work check
work release
DDOCS=$(psql_admin "SELECT count(*) FROM team_documents WHERE batch = '$DB'" ausgang)
echo "released through the queue: $DDOCS documents waiting to be delivered"
D0=$(now)
( at dsend2 --user dora team deliver --watch >/dev/null 2>&1 ) &
DS2=$!
dkills=0
while [ "$dkills" -lt "$DKILLS" ]; do
  setsid bash -c "$(declare -f at); E='$E' WORK='$WORK' at dsend1 --user dora team deliver --watch >/dev/null 2>&1" &
  DP=$!
  sleep "$($PY -c 'import random; print(round(random.uniform(0.5, 3.0), 2))')"
  kill -9 -- "-$DP" 2>/dev/null || kill -9 "$DP" 2>/dev/null || true
  wait "$DP" 2>/dev/null || true
  dkills=$((dkills + 1))
done
echo "deliver station killed $dkills times"
( at dsend1 --user dora team deliver --watch >/dev/null 2>&1 ) &
DS1=$!
for _ in $(seq 600); do
  left=$(psql_admin "SELECT count(*) FROM team_work WHERE step = 'deliver' AND batch = '$DB' AND state = 'open'" ausgang)
  [ "$left" = 0 ] && break
  sleep 0.5
done
D1=$(now)
pkill -f "team deliver --watch" 2>/dev/null || true
wait "$DS1" "$DS2" 2>/dev/null || true
$PY -c 'import sys; n, a, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]); print(f"delivered: {n} documents in {b - a:.1f} s = {n / (b - a):.2f} documents/s (two deliver stations, one killed and started again meanwhile)")' "$DDOCS" "$D0" "$D1"
echo "PDFs in the DMS folder: $(find "$WORK/dms" -name '*.pdf' | wc -l) (of $DDOCS documents)"
psql_admin "SELECT 'deliver work: ' || count(*) FILTER (WHERE state = 'done') || ' done, ' || count(*) FILTER (WHERE state = 'open') || ' open; by station: ' || coalesce(string_agg(DISTINCT done_station, ', '), '-') FROM team_work WHERE step = 'deliver' AND batch = '$DB'" ausgang
psql_admin "SELECT 'delivered twice (events): ' || count(*) FROM (SELECT item FROM team_events WHERE action = 'delivered' AND batch = '$DB' GROUP BY item HAVING count(*) > 1) t" ausgang
for s in dsend1 dsend2; do
  psql_admin "SELECT '$s finished: ' || count(*) FROM team_work WHERE step = 'deliver' AND batch = '$DB' AND done_station = '$s'" ausgang
done
at dlead team check | tail -1
