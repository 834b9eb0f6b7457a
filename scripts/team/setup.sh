#!/usr/bin/env bash
# A test PostgreSQL for the team-store tests, made fresh in DIR: a CA and a server
# certificate for 127.0.0.1 (scripts/test-ca.sh), a cluster (initdb) whose superuser is
# `eingang_admin` (password Pw-team-admin-2026), listening on 127.0.0.1:PORT only, TLS
# required for every TCP connection (hostssl, scram-sha-256), its socket in DIR/run.
# Start it with: postgres -D DIR/data (as the user that owns DIR/data — `postgres` when
# this runs as root, since PostgreSQL refuses to run as root).
# Usage: setup.sh DIR PORT   — prints nothing on success.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$1 PORT=$2
BIN=/usr/lib/postgresql/15/bin
mkdir -p "$DIR/run"
cd "$DIR"
bash "$HERE/../test-ca.sh" . Test-Team-CA
printf 'Pw-team-admin-2026\n' >pwfile
AS=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$DIR"
  AS=(runuser -u postgres --)
fi
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U eingang_admin --pwfile="$DIR/pwfile" \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
cp server.crt server.key "$DIR/data/"
chmod 600 "$DIR/data/server.key"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR/data/server.crt" "$DIR/data/server.key"
cat >>"$DIR/data/postgresql.conf" <<EOC
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR/run'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
max_connections = 60
fsync = on
EOC
cat >"$DIR/data/pg_hba.conf" <<EOC
local   all all                scram-sha-256
hostssl all all 127.0.0.1/32   scram-sha-256
EOC
rm -f pwfile
