#!/usr/bin/env bash
# Sync throughput and memory, both sides in one run, against the same real WebDAV server
# (Apache mod_dav on loopback):
#  1. 1,000 files of ~200 KB: `rclone copy` (plain PUTs) vs Eingang's WebDAV connector
#     (temporary name, MOVE with Overwrite: F, read-back SHA-256 check, index file last).
#  2. 5 GB in 25 files of 200 MB through Eingang: peak memory (streaming bodies).
# Usage: scripts/bench-sync.sh [COUNT] [BIG_FILES]   (defaults 1000 and 25; BIG_FILES=0 skips 2.)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
COUNT="${1:-1000}"
BIG="${2:-25}"
apt_install apache2 rclone openssl
need_rust
say "building the benchmark (release)"
cargo build --release -p eingang-sync --example webdav_bench --quiet
BENCH="$ROOT/target/release/examples/webdav_bench"

WORK="$(mktemp -d)"
trap 'kill -s KILL -- -"$APACHE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/dav" "$WORK/small" "$WORK/big"
chmod -R a+rwx "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
USER=bench; PASS=bench-pass
printf '%s:{SHA}%s\n' "$USER" "$(printf %s "$PASS" | openssl dgst -binary -sha1 | base64)" >"$WORK/htpasswd"
M=/usr/lib/apache2/modules
cat >"$WORK/httpd.conf" <<CONF
ServerRoot $WORK
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $WORK/httpd.pid
ErrorLog $WORK/error.log
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule authn_core_module $M/mod_authn_core.so
LoadModule authn_file_module $M/mod_authn_file.so
LoadModule auth_basic_module $M/mod_auth_basic.so
LoadModule authz_user_module $M/mod_authz_user.so
LoadModule dav_module $M/mod_dav.so
LoadModule dav_fs_module $M/mod_dav_fs.so
LoadModule alias_module $M/mod_alias.so
$( [ "$(id -u)" -eq 0 ] && printf 'User www-data\nGroup www-data\n' )
DavLockDB $WORK/davlock
LimitRequestBody 0
ThreadsPerChild 25
MaxRequestWorkers 50
Alias /dav $WORK/dav
<Directory $WORK/dav>
  Dav On
  AuthType Basic
  AuthName bench
  AuthUserFile $WORK/htpasswd
  Require valid-user
</Directory>
CONF
setsid /usr/sbin/apache2 -f "$WORK/httpd.conf" -D FOREGROUND &
APACHE_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
for d in rclone eingang big; do
  curl -s -o /dev/null -u "$USER:$PASS" -X MKCOL "http://127.0.0.1:$PORT/dav/$d/"
done

say "generating $COUNT files of ~200 KB"
python3 - "$WORK/small" "$COUNT" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, f"doc-{i:05d}.pdf"), "wb") as f:
        f.write(os.urandom(180_000 + (i * 7919) % 40_000))
PY
OBSCURED=$(rclone obscure "$PASS")
RCLONE=(rclone --config /dev/null copy "$WORK/small" ":webdav:rclone"
  --webdav-url "http://127.0.0.1:$PORT/dav/" --webdav-user "$USER" --webdav-pass "$OBSCURED")
say "rclone copy (defaults: 4 transfers) — $(rclone version | head -1)"
START=$(date +%s.%N)
"${RCLONE[@]}"
END=$(date +%s.%N)
RCLONE_S=$(echo "$END - $START" | bc)
MIB=$(du -sm "$WORK/small" | cut -f1)
echo "rclone: $COUNT files, $MIB MiB in ${RCLONE_S} s = $(echo "scale=1; $MIB / $RCLONE_S" | bc) MiB/s"
[ "$(find "$WORK/dav/rclone" -type f | wc -l)" -eq "$COUNT" ] || die "rclone did not copy every file"
say "rclone copy --transfers 8 --checkers 16 (the same concurrency as Eingang below)"
curl -s -o /dev/null -u "$USER:$PASS" -X MKCOL "http://127.0.0.1:$PORT/dav/rclone8/"
START=$(date +%s.%N)
rclone --config /dev/null copy "$WORK/small" ":webdav:rclone8" --transfers 8 --checkers 16 \
  --webdav-url "http://127.0.0.1:$PORT/dav/" --webdav-user "$USER" --webdav-pass "$OBSCURED"
END=$(date +%s.%N)
RCLONE8_S=$(echo "$END - $START" | bc)
echo "rclone --transfers 8: $COUNT files in ${RCLONE8_S} s = $(echo "scale=1; $MIB / $RCLONE8_S" | bc) MiB/s"

say "Eingang WebDAV connector (same files, temp + MOVE + read-back hash + index)"
START=$(date +%s.%N)
"$BENCH" "http://127.0.0.1:$PORT/dav/eingang/" "$USER" "$PASS" "$WORK/small" 8
END=$(date +%s.%N)
EINGANG_S=$(echo "$END - $START" | bc)
echo "ratio (rclone time / Eingang time, goal >= 1.0): $(echo "scale=2; $RCLONE_S / $EINGANG_S" | bc) against rclone's defaults, $(echo "scale=2; $RCLONE8_S / $EINGANG_S" | bc) against rclone with 8 transfers"
[ "$(find "$WORK/dav/eingang" -name '*.part' | wc -l)" -eq 0 ] || die "temporary files left"
[ "$(find "$WORK/dav/eingang" -name '*.index.xml' | wc -l)" -eq "$COUNT" ] || die "index files missing"

if [ "$BIG" -gt 0 ]; then
  say "generating $BIG files of 200 MB ($((BIG * 200)) MB)"
  for i in $(seq -w 1 "$BIG"); do head -c 200000000 /dev/urandom >"$WORK/big/big-$i.bin"; done
  rm -rf "$WORK/small" "$WORK/dav/rclone" "$WORK/dav/rclone8"
  say "Eingang: $((BIG * 200)) MB — peak memory must stay flat"
  "$BENCH" "http://127.0.0.1:$PORT/dav/big/" "$USER" "$PASS" "$WORK/big" 4
fi
