#!/usr/bin/env bash
# A test CA (scripts/test-ca.sh) and an S/MIME signer certificate for the tests of signed
# e-mail: DIR/ca.crt, DIR/ca.key, DIR/signer.crt, DIR/signer.key for ADDRESS, named NAME.
# Usage: test-smime.sh DIR CA-NAME ADDRESS NAME   — prints nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/test-ca.sh" "$1" "$2"
cd "$1"
openssl req -utf8 -newkey rsa:2048 -nodes -subj "/CN=$4" -keyout signer.key -out signer.csr 2>/dev/null
printf 'subjectAltName=email:%s\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n' "$3" >signer.ext
openssl x509 -req -in signer.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
  -extfile signer.ext -out signer.crt 2>/dev/null
