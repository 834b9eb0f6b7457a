#!/usr/bin/env bash
# A test PKI for the evidence tests, made fresh in DIR: keys (openssl), certificates and
# services (certomancer: a root, an intermediate CA, a timestamp authority, an OCSP
# responder; seal certificates valid, expired and revoked), and a SoftHSM2 token holding
# the seal keys with their certificates. Services are then served by
#   certomancer --config DIR/certomancer.yml animate --port PORT
# Usage: setup.sh DIR PORT   (PORT is written into the certificates' service URLs)
# Prints nothing on success; DIR/softhsm2.conf is the token's configuration
# (SOFTHSM2_CONF), the PINs are in DIR/pins (user PIN first); DIR/seal.p12 holds the seal key
# as a PKCS#12 file under the user PIN.
set -euo pipefail
DIR=$1 PORT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CERTOMANCER=${CERTOMANCER:-$ROOT/.tools/pki/bin/certomancer}
MODULE=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
mkdir -p "$DIR/keys" "$DIR/tokens"
cd "$DIR"
for k in root interm tsa ocsp seal seal-old seal-revoked; do
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "keys/$k.key.pem" 2>/dev/null
done
sed "s/@PORT@/$PORT/g" "$HERE/certomancer.yml" >certomancer.yml
"$CERTOMANCER" --config certomancer.yml mass-summon --flat --no-pfx --no-pem eingang certs >/dev/null
# The token: one user PIN, the seal keys (PKCS#8) with their certificates and the chain.
cat >softhsm2.conf <<EOC
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
EOC
export SOFTHSM2_CONF=$DIR/softhsm2.conf
PIN=246810 SO=13579111
printf '%s\n%s\n' "$PIN" "$SO" >pins
softhsm2-util --init-token --free --label eingang-siegel --pin "$PIN" --so-pin "$SO" >/dev/null
id=1
for k in seal seal-old seal-revoked; do
  hexid=$(printf '%02x' $id)
  softhsm2-util --import "keys/$k.key.pem" --token eingang-siegel --label "$k" --id "$hexid" --pin "$PIN" >/dev/null
  pkcs11-tool --module "$MODULE" --token-label eingang-siegel --login --pin "$PIN" \
    --write-object "certs/$k.crt" --type cert --id "$hexid" --label "$k" >/dev/null 2>&1
  id=$((id + 1))
done
pkcs11-tool --module "$MODULE" --token-label eingang-siegel --login --pin "$PIN" \
  --write-object certs/interm.crt --type cert --id 10 --label interm >/dev/null 2>&1
# The same seal key as a PKCS#12 file (for stations without a token), the PIN its password.
openssl x509 -inform der -in certs/seal.crt -out seal.pem
openssl x509 -inform der -in certs/interm.crt -out interm.pem
openssl pkcs12 -export -inkey keys/seal.key.pem -in seal.pem -certfile interm.pem \
  -name seal -passout "pass:$PIN" -out seal.p12
