#!/usr/bin/env bash
# A test mail server for the mailbox tests, made fresh in DIR: a CA and a server
# certificate for 127.0.0.1 (openssl), a Dovecot configuration serving IMAP (STARTTLS) on
# IMAP_PORT and IMAPS on IMAPS_PORT, on loopback only, plaintext logins refused without
# TLS, Maildir homes under DIR/home, 64 users postfach01…postfach64 with the password
# Pw-postfachNN-2026 in DIR/passwd. Start it with: dovecot -F -c DIR/dovecot.conf
# Usage: setup.sh DIR IMAP_PORT IMAPS_PORT   — prints nothing on success.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$1 IMAP=$2 IMAPS=$3
mkdir -p "$DIR/run" "$DIR/state" "$DIR/home"
cd "$DIR"
bash "$HERE/../test-ca.sh" . Test-Mail-CA
for n in $(seq -w 1 64); do echo "postfach$n:{PLAIN}Pw-postfach$n-2026"; done >passwd
# Mail is kept under a user that is not root (Dovecot refuses root mail users); the
# service users are the ones Debian's package made.
if [ "$(id -u)" = 0 ]; then
  MAIL_UID=nobody MAIL_GID=nogroup INTERNAL=dovecot LOGIN=dovenull
  chown nobody:nogroup home
else
  MAIL_UID=$(id -un) MAIL_GID=$(id -gn) INTERNAL=$(id -un) LOGIN=$(id -un)
fi
cat >dovecot.conf <<EOC
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = $INTERNAL
default_login_user = $LOGIN
ssl = required
ssl_cert = <$DIR/server.crt
ssl_key = <$DIR/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/passwd
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$DIR/home/%u allow_all_users=yes
}
mail_location = maildir:~/Maildir
first_valid_uid = 0
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS
  }
}
service anvil {
  chroot =
}
EOC
