#!/usr/bin/env bash
# A test directory for the sign-in tests, made fresh in DIR: a CA and a server certificate
# for 127.0.0.1 (openssl), an OpenLDAP configuration (slapd.conf, mdb) with TLS, and the
# people of a scan office loaded offline (slapadd). Start it with StartTLS and LDAPS:
#   slapd -f DIR/slapd.conf -h "ldap://127.0.0.1:PORT/ ldaps://127.0.0.1:PORT2/" -d 0
# Usage: setup.sh DIR   — prints nothing on success; the passwords are in DIR/people.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$1
mkdir -p "$DIR/db"
cd "$DIR"
bash "$HERE/../test-ca.sh" . Test-Verzeichnis-CA
# Who works here: uid, name, password.
cat >people <<'EOP'
anna Anna Scanner Scan-2026-anna
bernd Bernd Prüfer Pruef-2026-bernd
carla Carla Leitung Leit-2026-carla
EOP
ADMIN_PW=$(slappasswd -s "admin-$RANDOM$RANDOM")
cat >slapd.conf <<EOC
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $DIR/slapd.pid
argsfile $DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile $DIR/ca.crt
TLSCertificateFile $DIR/server.crt
TLSCertificateKeyFile $DIR/server.key
database mdb
maxsize 10485760
suffix "dc=stadt,dc=test"
rootdn "cn=admin,dc=stadt,dc=test"
rootpw $ADMIN_PW
directory $DIR/db
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
EOC
{
  printf 'dn: dc=stadt,dc=test\nobjectClass: dcObject\nobjectClass: organization\no: Stadt Test\ndc: stadt\n\n'
  printf 'dn: ou=people,dc=stadt,dc=test\nobjectClass: organizationalUnit\nou: people\n\n'
  while read -r uid first last pw; do
    printf 'dn: uid=%s,ou=people,dc=stadt,dc=test\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s %s\nsn: %s\ngivenName: %s\nuserPassword: %s\n\n' \
      "$uid" "$uid" "$first" "$last" "$last" "$first" "$(slappasswd -s "$pw")"
  done <people
} >people.ldif
slapadd -q -f slapd.conf -l people.ldif 2>/dev/null
