#!/usr/bin/env bash
# Seals timed as users run them (the release binary), with the key in a SoftHSM2 token and
# certomancer's timestamp authority and OCSP responder on loopback:
#  1. `eingang seal file` on FILES PDF/A documents: the time per document (PKCS#11 signature,
#     RFC 3161 timestamp, OCSP answer into the document security store), p50 and p99 —
#     the token is opened once for the run, as a release opens it once;
#  2. `eingang batch release` of a batch of DOCS one-page documents at protection need
#     "hoch" (sealed) beside the same at "normal" without a seal (written justification):
#     documents per second, each release including its audit checkpoint.
# A release build reads its machine configuration from /etc/eingang/config.toml only: the
# script puts its own there and puts back what was there (run it as root on a test machine).
# Usage: scripts/bench-seal.sh [FILES] [DOCS]   (default 50, 20)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
FILES="${1:-50}" DOCS="${2:-20}"
[ "$(id -u)" -eq 0 ] || die "run as root: a release build reads /etc/eingang/config.toml only"
apt_install python3-pil softhsm2 opensc
pki_install
need_rust
say "building eingang (release)"
cargo build --release -p eingang-cli --bin eingang --quiet
E="$ROOT/target/release/eingang"
WORK="$(mktemp -d)"
PORT="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
ETC=/etc/eingang/config.toml SAVED=""
mkdir -p /etc/eingang
if [ -f "$ETC" ]; then SAVED="$WORK/etc-config.toml"; cp "$ETC" "$SAVED"; fi
ANIM=""
cleanup() {
  [ -n "$ANIM" ] && kill "$ANIM" 2>/dev/null
  if [ -n "$SAVED" ]; then cp "$SAVED" "$ETC"; else rm -f "$ETC"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
say "test PKI (certomancer, SoftHSM2) on 127.0.0.1:$PORT"
bash "$ROOT/scripts/pki/setup.sh" "$WORK/pki" "$PORT"
"$ROOT/.tools/pki/bin/certomancer" --config "$WORK/pki/certomancer.yml" animate --no-web-ui --port "$PORT" >"$WORK/animator.log" 2>&1 &
ANIM=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
export SOFTHSM2_CONF="$WORK/pki/softhsm2.conf" EINGANG_KEYRING=off EINGANG_PASSPHRASE=bench-seal-passphrase EINGANG_DATA_DIR="$WORK/data"
head -1 "$WORK/pki/pins" | "$E" seal pin >/dev/null 2>&1
SEAL="[seal]
module = \"/usr/lib/softhsm/libsofthsm2.so\"
token = \"eingang-siegel\"
key = \"seal\"
name = \"Stadt Musterstadt, Scanstelle\"
[timestamp]
url = \"http://127.0.0.1:$PORT/eingang/tsa/tsa\""
printf '%s\n' "$SEAL" >"$ETC"

say "making $FILES PDF/A-2b documents and $DOCS pages (A4 grey, 150 dpi)"
mkdir -p "$WORK/pages" "$WORK/in"
/usr/bin/python3 - "$WORK/pages" "$DOCS" <<'PY'
import sys
from PIL import Image, ImageDraw
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    im = Image.new("L", (1240, 1754), 245)
    dr = ImageDraw.Draw(im)
    for y in range(150, 1600, 40):
        dr.rectangle([120, y, 120 + (y * 7 + i * 13) % 900 + 100, y + 12], fill=40)
    im.save(f"{d}/p{i:03d}.jpg", quality=80, dpi=(150, 150))
PY
for i in $(seq "$FILES"); do
  "$E" pdf assemble "$WORK/pages/p$(printf '%03d' $(( (i - 1) % DOCS ))).jpg" -o "$WORK/in/doc$i.pdf" >/dev/null
done

say "eingang seal file: $FILES documents"
start=$(date +%s.%N)
"$E" seal file "$WORK"/in/*.pdf --out-dir "$WORK/sealed" >"$WORK/seal.txt"
end=$(date +%s.%N)
sort -n -k4 "$WORK/seal.txt" | awk '{print $4}' >"$WORK/ms.txt"
n=$(wc -l <"$WORK/ms.txt")
p50=$(awk -v n="$n" 'NR == int((n + 1) / 2)' "$WORK/ms.txt")
p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.999)' "$WORK/ms.txt")
printf 'seal + timestamp + validation data per document: p50 %s ms, p99 %s ms (%s documents; whole command %.2f s)\n' \
  "$p50" "$p99" "$n" "$(echo "$end - $start" | bc)"
"$E" verify "$WORK/sealed/doc1.pdf" --trust "$WORK/pki/certs/root.crt" | grep -E "intact|timestamp"

release() { # profile kind, its qc settings (JSON), label → documents per second
  local kind=$1 qc=$2 label=$3
  printf '{"id":"bench-%s","name":"Bench %s","mode":"Gray","resolution":150,"processing":{"ocr":false,"mode":"grey"},"pdfa":"2b","separation":{"barcode_separators":[],"every_n_pages":1},"qc":%s}\n' \
    "$kind" "$kind" "$qc" >"$WORK/profile-$kind.json"
  "$E" profiles save "$WORK/profile-$kind.json" >/dev/null
  local id
  id=$("$E" --user anna import "$WORK"/pages/*.jpg --profile "bench-$kind" 2>/dev/null | sed -n 's/^batch \([^:]*\):.*/\1/p' | head -1)
  "$E" batch separate "$id" >/dev/null
  "$E" --user bernd batch qc "$id" --all >/dev/null
  local t0 t1 made
  t0=$(date +%s.%N)
  made=$("$E" batch release "$id" --title Bench --index dokumentart=Brief | grep -c '^document ')
  t1=$(date +%s.%N)
  printf '%s: %s documents released in %.2f s = %.1f documents/s\n' "$label" "$made" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$made / ($t1 - $t0)" | bc -l)"
}
say "eingang batch release: $DOCS one-page documents, sealed (hoch) and without a seal (normal)"
release hoch '{"protection":"hoch","four_eyes":true}' "sealed + timestamped (hoch)"
printf '[seal]\njustification = "Schutzbedarf normal: SHA-256 und Audit-Kette (Messlauf)"\n' >"$ETC"
release normal '{"protection":"normal","four_eyes":true}' "without a seal (normal)"
