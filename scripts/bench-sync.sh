#!/usr/bin/env bash
# Sync throughput and memory, both sides in one run, against the same real WebDAV server
# (Apache mod_dav on loopback):
#  1. `eingang sync` (the user's command) delivering COUNT released one-page documents
#     (temporary name, MOVE with Overwrite: F, read-back SHA-256 check, index file last),
#     then `rclone copy` (plain PUTs) of the very files it delivered, to the same server.
#     The same documents are queued for a real CMIS repository too (OpenCMIS InMemory in
#     Jetty, BASIC auth) and delivered there by `eingang sync` in a second timed run.
#  2. 5 GB in 25 files of 200 MB through Eingang: peak memory (streaming bodies).
# Usage: scripts/bench-sync.sh [COUNT] [BIG_FILES]   (defaults 1000 and 25; BIG_FILES=0 skips 2.)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
COUNT="${1:-1000}"
BIG="${2:-25}"
apt_install apache2 rclone openssl default-jre-headless curl
need_rust
opencmis_install
say "building eingang and the big-file benchmark (release)"
cargo build --release -p eingang-cli --bin eingang --quiet
cargo build --release -p eingang-sync --example webdav_bench --quiet
BENCH="$ROOT/target/release/examples/webdav_bench"

WORK="$(mktemp -d)"
trap 'kill -s KILL -- -"$APACHE_PID" 2>/dev/null; kill "$CMIS_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
CMIS_PID=""
mkdir -p "$WORK/dav" "$WORK/big" "$WORK/store"
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

# The store: COUNT one-page documents scanned, separated, checked and released through the
# user's commands (a profile without OCR, one document per page), queued for the WebDAV
# target — then `eingang sync` delivers them (PDF/A, index XML, Transfervermerk each).
export EINGANG_DATA_DIR="$WORK/store" EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data"
E="$ROOT/target/release/eingang"
say "preparing $COUNT released documents (eingang import, batch separate/qc/release)"
mkdir -p "$WORK/pages"
python3 - "$WORK/pages" "$COUNT" <<'PY'
import os, sys, zlib, struct
d, n = sys.argv[1], int(sys.argv[2])
def png(w, h, seed):
    rows = b"".join(b"\0" + bytes((x * 7 + y * 3 + seed) % 256 for x in range(w)) for y in range(h))
    c = lambda t, b: struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
    return b"\x89PNG\r\n\x1a\n" + c(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + c(b"pHYs", struct.pack(">IIB", 5906, 5906, 1)) + c(b"IDAT", zlib.compress(rows)) + c(b"IEND", b"")
for i in range(n):
    open(os.path.join(d, f"p{i:05d}.png"), "wb").write(png(600, 800, i))
PY
"$E" profiles list --json | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin) if x["id"] == "standard"][0]
p["id"], p["name"] = "bench", "Benchmark"
p["processing"].update(ocr=False, deskew=False, blank_detection=False)
p["separation"].update(barcode_separators=[], every_n_pages=1)
p["qc"]["four_eyes"] = False
print(json.dumps(p))' >"$WORK/bench-profile.json"
"$E" profiles save "$WORK/bench-profile.json" >/dev/null
# The CMIS repository (its own accounts file, the same user and password).
CPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '%s: %s,eingang\n' "$USER" "$PASS" >"$WORK/realm.properties"
java -Djava.io.tmpdir="$WORK" -Deingang.realm="$WORK/realm.properties" -jar "$ROOT/.tools/opencmis/jetty-runner.jar" \
  --host 127.0.0.1 --port "$CPORT" --path /cmis --config "$ROOT/scripts/opencmis/jetty-realm.xml" \
  "$ROOT/.tools/opencmis/eingang-cmis.war" >"$WORK/opencmis.log" 2>&1 &
CMIS_PID=$!
WEBDAV_TARGET="[[target]]
id = \"dms\"
kind = \"webdav\"
url = \"http://127.0.0.1:$PORT/dav/eingang/\"
user = \"$USER\"
folder = \"posteingang\""
CMIS_TARGET="[[target]]
id = \"cmis\"
kind = \"cmis\"
url = \"http://127.0.0.1:$CPORT/cmis/browser\"
repository = \"stadt\"
user = \"$USER\"
folder = \"Posteingang\""
# Released for both targets; each `eingang sync` below sees one of them.
printf '%s\n%s\n' "$WEBDAV_TARGET" "$CMIS_TARGET" >"$WORK/store/config.toml"
echo "$PASS" | "$E" targets password dms >/dev/null 2>&1
echo "$PASS" | "$E" targets password cmis >/dev/null 2>&1
B=$("$E" import "$WORK"/pages/*.png --profile bench 2>/dev/null | sed -n 's/^batch \([^:]*\):.*/\1/p')
"$E" batch separate "$B" >/dev/null
"$E" batch qc "$B" --all >/dev/null
"$E" batch release "$B" --title "Posteingang" --index dokumentart=Brief | tail -1
printf '%s\n' "$WEBDAV_TARGET" >"$WORK/store/config.toml"

say "eingang sync — the user's command, timed"
echo "  \$ eingang sync   (EINGANG_DATA_DIR=\$WORK/store; $COUNT documents queued for dms)"
START=$(date +%s.%N)
"$E" sync | tail -2
END=$(date +%s.%N)
EINGANG_S=$(echo "$END - $START" | bc)
FILES=$(find "$WORK/dav/eingang" -type f | wc -l)
MIB=$(du -sm "$WORK/dav/eingang" | cut -f1)
echo "RESULT eingang sync: $COUNT documents, $FILES files, $MIB MiB in ${EINGANG_S} s"
[ "$(find "$WORK/dav/eingang" -name '*.part' | wc -l)" -eq 0 ] || die "temporary files left"

say "rclone copy of the same $FILES files to the same server — $(rclone version | head -1)"
mkdir -p "$WORK/same"
cp -r "$WORK/dav/eingang/." "$WORK/same/"
OBSCURED=$(rclone obscure "$PASS")
for t in 4 8; do
  curl -s -o /dev/null -u "$USER:$PASS" -X MKCOL "http://127.0.0.1:$PORT/dav/rclone$t/"
  echo "  \$ rclone copy \$WORK/same :webdav:rclone$t --transfers $t"
  START=$(date +%s.%N)
  rclone --config /dev/null copy "$WORK/same" ":webdav:rclone$t" --transfers "$t" --checkers 16 \
    --webdav-url "http://127.0.0.1:$PORT/dav/" --webdav-user "$USER" --webdav-pass "$OBSCURED"
  END=$(date +%s.%N)
  R=$(echo "$END - $START" | bc)
  echo "RESULT rclone copy --transfers $t: $FILES files in ${R} s; eingang sync took $(echo "scale=2; $EINGANG_S / $R" | bc)× its time"
done

say "eingang sync to the CMIS repository (OpenCMIS InMemory $OPENCMIS_VERSION in Jetty) — the same $COUNT documents"
for _ in $(seq 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$USER:$PASS" "http://127.0.0.1:$CPORT/cmis/browser")" = 200 ] && break
  sleep 0.2
done
printf '%s\n' "$CMIS_TARGET" >"$WORK/store/config.toml"
echo "  \$ eingang sync   ($COUNT documents queued for cmis)"
START=$(date +%s.%N)
"$E" sync | tail -2
END=$(date +%s.%N)
CMIS_S=$(echo "$END - $START" | bc)
CMIS_DOCS=$(curl -s -u "$USER:$PASS" -G "http://127.0.0.1:$CPORT/cmis/browser/stadt" \
  --data-urlencode "cmisselector=query" --data-urlencode "q=SELECT cmis:objectId FROM eingang:dokument" \
  --data-urlencode "maxItems=1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("numItems", "?"))')
echo "RESULT eingang sync to CMIS: $COUNT documents, $CMIS_DOCS CMIS documents in the repository, in ${CMIS_S} s (WebDAV: ${EINGANG_S} s)"
unset EINGANG_DATA_DIR

if [ "$BIG" -gt 0 ]; then
  say "generating $BIG files of 200 MB ($((BIG * 200)) MB)"
  for i in $(seq -w 1 "$BIG"); do head -c 200000000 /dev/urandom >"$WORK/big/big-$i.bin"; done
  rm -rf "$WORK/same" "$WORK/dav/rclone4" "$WORK/dav/rclone8" "$WORK/pages"
  say "Eingang: $((BIG * 200)) MB — peak memory must stay flat"
  "$BENCH" "http://127.0.0.1:$PORT/dav/big/" "$USER" "$PASS" "$WORK/big" 4
fi
