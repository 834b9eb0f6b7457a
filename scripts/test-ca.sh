#!/usr/bin/env bash
# A test CA and a server certificate for 127.0.0.1 (and localhost), for the loopback test
# servers (scripts/ldap/setup.sh, scripts/mail/setup.sh): DIR/ca.crt, DIR/ca.key,
# DIR/server.crt, DIR/server.key. Usage: test-ca.sh DIR CA-NAME   — prints nothing.
set -euo pipefail
cd "$1"
# Issued a day back where faketime is at hand (the tests install it): a station whose clock
# is an hour behind trusts the server as a real one would its months-old certificate.
BACK=()
if command -v faketime >/dev/null; then BACK=(faketime -f -1d); fi
"${BACK[@]}" openssl req -utf8 -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$2" \
  -keyout ca.key -out ca.crt -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
"${BACK[@]}" openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
"${BACK[@]}" openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
  -extfile server.ext -out server.crt 2>/dev/null
