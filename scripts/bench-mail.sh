#!/usr/bin/env bash
# Mailbox intake (issue 21), printed: a real IMAP server (Dovecot from Debian, IMAPS on
# loopback, scripts/mail/setup.sh) whose INBOX holds N messages (default 10,000: short
# letters as citizens write them, every tenth with a PDF attachment), read by the command a
# user runs — `eingang mail fetch` (release build) — into a fresh data folder:
#   - messages per second into the store (every message a document with its pages, moved
#     to the processed folder) and the command's peak memory (/usr/bin/time -v);
#   - the conversion time per Office attachment (DOCX, XLSX, ODT, RTF made by LibreOffice,
#     one per e-mail): `eingang import` of each e-mail, less the median time of the same
#     e-mail without its attachment — p50 and p95.
# Usage: scripts/bench-mail.sh [MESSAGES]   (BENCH_TAKE=K takes only the first K of them;
# BENCH_OFFICE=M e-mails with an Office attachment, default 40)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
N="${1:-10000}"
TAKE="${BENCH_TAKE:-}"
OFFICE="${BENCH_OFFICE:-40}"
apt_install dovecot-imapd openssl poppler-utils libreoffice-writer-nogui libreoffice-calc-nogui python3
need_rust
export EINGANG_KEYRING=off EINGANG_PASSPHRASE="benchmark passphrase, not for data" EINGANG_LOG_STDERR=off
WORK="${BENCH_WORK:-$(mktemp -d)}"
DOVECOT_PID=
cleanup() {
  [ -z "$DOVECOT_PID" ] || kill "$DOVECOT_PID" 2>/dev/null || true
  [ -n "${BENCH_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
say "building eingang (release)"
cargo build --release -p eingang-cli --bin eingang --quiet
E="$ROOT/target/release/eingang"
PY=/usr/bin/python3
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

say "a Dovecot on loopback with $N messages in one INBOX"
rm -rf "$WORK/mail"
IMAP=$(free_port) IMAPS=$(free_port)
bash scripts/mail/setup.sh "$WORK/mail" "$IMAP" "$IMAPS"
USER_=postfach01 PASS=Pw-postfach01-2026
MAILDIR="$WORK/mail/home/$USER_/Maildir"
$PY - "$MAILDIR" "$N" <<'PY'
import base64, os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = random.Random(21)
names = "Anna Bernd Carla Dieter Emine Fatima Georg Hanna Ivan Julia".split()
topics = ["Wohngeld", "Anwohnerparken", "Kita-Platz", "Hundesteuer", "Baugenehmigung", "Sperrmüll"]
pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
for k in range(n):
    who, topic = rng.choice(names), rng.choice(topics)
    body = (f"Sehr geehrte Damen und Herren,\r\n\r\nich wende mich an Sie wegen {topic}. "
            f"Bitte teilen Sie mir mit, welche Unterlagen noch fehlen.\r\n\r\nMit freundlichen Grüßen\r\n{who} Beispiel {k}\r\n")
    head = (f"From: {who} Beispiel <{who.lower()}.{k}@example.org>\r\nTo: posteingang@musterstadt.de\r\n"
            f"Subject: {topic} – Anfrage {k}\r\nDate: Wed, 02 Dec 2026 {k % 24:02d}:{k % 60:02d}:00 +0100\r\n"
            f"Message-ID: <bench-{k}@example.org>\r\nMIME-Version: 1.0\r\n")
    if k % 10 == 9:
        msg = (head + 'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
               + body + '--B\r\nContent-Type: application/pdf; name="nachweis.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
               + base64.encodebytes(pdf).decode().replace("\n", "\r\n") + "--B--\r\n")
    else:
        msg = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    with open(os.path.join(root, "new", f"{1_700_000_000 + k}.M{k}P1.bench"), "w", encoding="utf-8", newline="") as f:
        f.write(msg)
PY
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$WORK/mail/home"
/usr/sbin/dovecot -F -c "$WORK/mail/dovecot.conf" &
DOVECOT_PID=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$IMAPS") 2>/dev/null && break; sleep 0.1; done

D="$WORK/store"
rm -rf "$D"
mkdir -p "$D"
cat >"$D/config.toml" <<EOC
[mailbox]
host = "127.0.0.1"
port = $IMAPS
user = "$USER_"
ca_bundle = "$WORK/mail/ca.crt"
EOC
echo "$PASS" | "$E" --data-dir "$D" mail password >/dev/null
LIMIT=()
[ -z "$TAKE" ] || LIMIT=(--limit "$TAKE")
say "eingang mail fetch ${LIMIT[*]}"
/usr/bin/time -v -o "$WORK/time.txt" "$E" --data-dir "$D" mail fetch "${LIMIT[@]}" >"$WORK/fetch.txt" 2>"$WORK/fetch.err" || { cat "$WORK/fetch.err"; die "mail fetch failed"; }
wall=$($PY - "$WORK/time.txt" <<'PY'
import sys
for line in open(sys.argv[1]):
    if "Elapsed (wall clock)" in line:
        t = line.rsplit(" ", 1)[1].strip().split(":")
        print(sum(float(x) * 60 ** i for i, x in enumerate(reversed(t))))
PY
)
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
taken=$(sed -n 's/^\([0-9]*\) message(s) taken.*/\1/p' "$WORK/fetch.txt")
inbox=$(doveadm -c "$WORK/mail/dovecot.conf" -f flow mailbox status -u "$USER_" messages INBOX | sed 's/.*messages=//')
moved=$(doveadm -c "$WORK/mail/dovecot.conf" -f flow mailbox status -u "$USER_" messages Eingang.Verarbeitet | sed 's/.*messages=//')

say "conversion of $OFFICE Office attachments (LibreOffice), one per e-mail"
O="$WORK/office"
rm -rf "$O"
mkdir -p "$O"
$PY - "$O" "$OFFICE" <<'PY'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
for k in range(n):
    kind = ["docx", "xlsx", "odt", "rtf"][k % 4]
    if kind == "xlsx":
        rows = "\n".join(f"Posten {i};{rng.randint(10, 999)},{rng.randint(0, 99):02d}" for i in range(rng.randint(5, 60)))
        open(os.path.join(out, f"a{k:03d}.csv"), "w").write("Posten;Betrag\n" + rows + "\n")
    else:
        paras = "".join(f"<p>Absatz {i}: Ich beantrage hiermit die Prüfung meines Antrags auf Wohngeld für den Zeitraum {i}.</p>" for i in range(rng.randint(3, 80)))
        open(os.path.join(out, f"a{k:03d}.{kind}.html"), "w").write(f"<html><body><h1>Antrag {k}</h1>{paras}</body></html>")
PY
P="-env:UserInstallation=file://$O/profile"
for f in "$O"/*.docx.html; do soffice "$P" --headless --infilter="HTML (StarWriter)" --convert-to 'docx:MS Word 2007 XML' --outdir "$O" "$f" >/dev/null 2>&1; done
for f in "$O"/*.odt.html; do soffice "$P" --headless --infilter="HTML (StarWriter)" --convert-to odt --outdir "$O" "$f" >/dev/null 2>&1; done
for f in "$O"/*.rtf.html; do soffice "$P" --headless --infilter="HTML (StarWriter)" --convert-to 'rtf:Rich Text Format' --outdir "$O" "$f" >/dev/null 2>&1; done
for f in "$O"/*.csv; do soffice "$P" --headless --infilter=CSV:59,34,76 --convert-to xlsx --outdir "$O" "$f" >/dev/null 2>&1; done
for f in "$O"/*.docx.docx "$O"/*.odt.odt "$O"/*.rtf.rtf; do [ -e "$f" ] && mv "$f" "${f%.*}"; done
for f in "$O"/*.docx "$O"/*.odt "$O"/*.rtf "$O"/*.xlsx; do
  b=$(basename "$f")
  $PY - "$f" "$O/$b.eml" "$O/$b.plain.eml" <<'PY'
import base64, sys
src, with_, plain = sys.argv[1:]
name = src.rsplit("/", 1)[1]
head = ("From: Anna Beispiel <anna@example.org>\r\nSubject: Antrag mit Anlage\r\nDate: Wed, 02 Dec 2026 10:00:00 +0100\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei mein Antrag.\r\n")
att = (f"--B\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n"
       "Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(open(src, "rb").read()).decode().replace("\n", "\r\n"))
open(with_, "w", newline="").write(head + att + "--B--\r\n")
open(plain, "w", newline="").write(head + "--B--\r\n")
PY
done
C="$WORK/convstore"
rm -rf "$C"
ms() { echo $(($(date +%s%N) / 1000000)); }
: >"$O/times.txt"
for f in "$O"/*.plain.eml; do
  t0=$(ms); "$E" --data-dir "$C" import --name plain "$f" >/dev/null 2>&1; t1=$(ms)
  echo "plain $((t1 - t0))" >>"$O/times.txt"
done
for f in "$O"/*.eml; do
  case "$f" in *.plain.eml) continue ;; esac
  t0=$(ms); "$E" --data-dir "$C" import --name office "$f" >"$O/last.txt" 2>&1; t1=$(ms)
  grep -q "0 file(s) refused" "$O/last.txt" || { cat "$O/last.txt"; die "import of $f failed"; }
  echo "office $((t1 - t0)) $(basename "$f" .eml)" >>"$O/times.txt"
done

echo
echo "== mailbox intake on this machine ($(nproc) cores) =="
$PY - "$N" "${taken:-0}" "$wall" "$rss" "${inbox:-?}" "${moved:-?}" "$O/times.txt" <<'PY'
import statistics, sys
n, taken, wall, rss, inbox, moved, times = sys.argv[1:]
taken, wall, rss = int(taken), float(wall), int(rss)
print(f"`eingang mail fetch` from a {int(n):,}-message INBOX: {taken:,} taken in {wall:.1f} s = {taken / wall:.1f} messages/s; "
      f"peak memory {rss / 1024:.0f} MiB; left in INBOX {inbox}, in the processed folder {moved}")
plain, office = [], []
for line in open(times):
    parts = line.split()
    (plain if parts[0] == "plain" else office).append((int(parts[1]), parts[2] if len(parts) > 2 else ""))
base = statistics.median(t for t, _ in plain)
conv = sorted(max(t - base, 0) for t, _ in office)
q = lambda p: conv[min(len(conv) - 1, int(round(p * (len(conv) - 1))))]
print(f"Office attachment conversion (`eingang import` of an e-mail with one, less {base / 1000:.2f} s without it), "
      f"{len(conv)} attachments (DOCX, XLSX, ODT, RTF): p50 {q(0.5) / 1000:.2f} s, p95 {q(0.95) / 1000:.2f} s, max {conv[-1] / 1000:.2f} s")
PY
