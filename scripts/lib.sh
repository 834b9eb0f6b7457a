# Shared by scripts/*.sh: installs what Eingang needs on Debian 12 (as root), idempotently.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.tools/bin:$HOME/.cargo/bin:$PATH"

# Each step with the minutes and seconds since the script started (where CI's time goes).
say() { printf '\033[1m==> %s\033[0m  [%d:%02d]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages for building and running the app.
APT_BUILD=(build-essential pkg-config file libwebkit2gtk-4.1-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev)
# What the app uses at run time when it is there (it works on without, and says so):
# SANE for scanners, Tesseract for OCR, poppler-utils to render PDF pages on import.
APT_RUN=(sane-utils poppler-utils tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng)
# Extra packages the test suite uses: a virtual X server, the WebDriver for WebKitGTK,
# python3-xlib (to press a window's close button without a window manager) and SANE
# (whose virtual test scanner doctor must list), poppler-utils and qpdf (independent checks
# of the PDF/A files Eingang writes), and real WebDAV servers for the sync tests: Apache
# mod_dav, rclone (also the benchmark's reference client), python3-venv for WsgiDAV; and
# python3-dev, libldap2-dev, libsasl2-dev (Mayan EDMS builds python-ldap from them);
# libtiff-tools (ppm2tiff makes real CCITT G4 TIFFs for the capture tests); ghostscript (a
# second independent reader of the CCITT test pages, beside poppler); Tesseract with
# German and English (OCR of scanned pages runs in the tests and the end-to-end tests);
# curl fetches veraPDF from Maven Central (verapdf_install); SoftHSM2 (the seal key's token),
# opensc (pkcs11-tool puts certificates on it) and libnss3-tools (certutil: pdfsig's trust
# store) for the evidence tests; OpenLDAP (slapd, ldap-utils) for the directory sign-in;
# python3-pil and fonts-dejavu-core for the generated letters of the archive-size E2E
# (scripts/mrc/letters.py); libpdfbox2-java's preflight checks PDF/A-1b; Dovecot
# (dovecot-imapd) is the real IMAP server of the mailbox tests (scripts/mail/setup.sh);
# LibreOffice's headless Writer and Calc convert e-mails' Office attachments; PostgreSQL 15
# is the real server of the team-store tests (scripts/team/setup.sh); faketime runs a team
# station whose clock is off by an hour.
APT_TEST=(xvfb xauth xclip webkit2gtk-driver python3 python3-xlib python3-pil fonts-dejavu-core
  sane-utils poppler-utils qpdf
  apache2 rclone openssl python3-venv python3-dev libldap2-dev libsasl2-dev libtiff-tools
  default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java img2pdf
  ghostscript tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng curl ca-certificates
  softhsm2 opensc libnss3-tools slapd ldap-utils dovecot-imapd
  libreoffice-writer-nogui libreoffice-calc-nogui postgresql-15 faketime)

# The Windows build from this machine (scripts/windows.sh): Debian's current Rust with the
# standard library's sources (built for x86_64-pc-windows-gnu with -Zbuild-std; rustup cannot
# fetch targets here) and its clippy, the MinGW-w64 cross compiler, Wine 8 to run the tests,
# NSIS (makensis) for the installer.
APT_WINDOWS=(rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 wine64 nsis)

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}"
  fi
  say "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_rust() {
  command -v cargo >/dev/null || die "Rust is missing: install rustup (https://rustup.rs) and run this again"
  local v; v=$(rustc --version | awk '{print $2}')
  printf '%s\n1.85.0\n' "$v" | sort -V -C -r || die "Rust $v is too old; 1.85 or newer is needed (rustup update)"
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true
}

need_node() {
  if ! command -v node >/dev/null; then
    apt_install nodejs npm
  fi
  local v; v=$(node --version | tr -d v)
  printf '%s\n20.19.0\n' "$v" | sort -V -C -r ||
    die "Node.js $v is too old for Vite 8; install Node.js 20.19+ or 22 (e.g. from NodeSource) and run this again"
}

ui_install() {
  if [ ! -d "$ROOT/ui/node_modules" ] || [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]; then
    say "npm ci (ui/)"
    (cd "$ROOT/ui" && npm ci --no-fund --no-audit --loglevel=error)
  fi
}

ui_build() {
  say "building the UI (ui/dist)"
  (cd "$ROOT/ui" && npx vite build --logLevel warn)
}

# WsgiDAV and Mayan EDMS (PyPI) in private virtual environments: the sync tests start them
# as real servers.
# venv_install DIR REQUIREMENTS PROGRAM: a private Python environment with the pinned
# packages, made again when the requirements file is newer than PROGRAM.
venv_install() {
  local venv="$ROOT/.tools/$1" req="$ROOT/$2" marker="$ROOT/.tools/$1/bin/$3"
  if ! [ -x "$marker" ] || [ "$req" -nt "$marker" ]; then
    say "$(basename "$2") into .tools/$1"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -qq --disable-pip-version-check -r "$req"
    touch "$marker"
  fi
}

dav_servers_install() {
  venv_install venv scripts/test-servers.txt wsgidav
  # Mayan EDMS, a real open-source DMS (PyPI), with a prepared template data folder.
  "$ROOT/scripts/mayan/prepare.sh"
  # The distribution's Apache and slapd must not run as services on the test machine (the
  # tests start their own on free loopback ports).
  for service in apache2 slapd; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
      systemctl stop "$service" || true
    fi
  done
}

# The test PKI's tools (certomancer, pyHanko) from PyPI, pinned, into .tools/pki.
pki_install() {
  venv_install pki scripts/pki/requirements.txt certomancer
}

# cargo deny (licences, bans, sources of every dependency), pinned.
cargo_deny_install() {
  if ! [ -x "$ROOT/.tools/bin/cargo-deny" ]; then
    say "cargo install cargo-deny (into .tools/)"
    cargo install cargo-deny@0.18.3 --locked --root "$ROOT/.tools" --quiet
  fi
}

tauri_driver_install() {
  if ! [ -x "$ROOT/.tools/bin/tauri-driver" ]; then
    say "cargo install tauri-driver (into .tools/)"
    cargo install tauri-driver --version '^2' --locked --root "$ROOT/.tools" --quiet
  fi
}

# veraPDF (the PDF/A validator of the PDF Association and the archives), pinned, from Maven
# Central: the self-contained command-line application `greenfield-apps`, its SHA-256
# checked, into .tools/verapdf/ with a `verapdf` command in .tools/bin. Java comes with
# APT_TEST (default-jre-headless).
VERAPDF_VERSION=1.28.2
VERAPDF_SHA256=687d4d8bcfec48c9f7e931cf78ed061f1eeccfba55d4cdc000ba9b4d8aa46ce6
verapdf_install() {
  local dir="$ROOT/.tools/verapdf" jar="greenfield-apps-$VERAPDF_VERSION.jar"
  if ! [ -f "$dir/$jar" ]; then
    say "veraPDF $VERAPDF_VERSION from Maven Central (into .tools/verapdf)"
    mkdir -p "$dir" "$ROOT/.tools/bin"
    maven_fetch "org/verapdf/apps/greenfield-apps/$VERAPDF_VERSION/$jar" "$VERAPDF_SHA256" "$dir/$jar"
  fi
  cat >"$ROOT/.tools/bin/verapdf" <<EOS
#!/bin/sh
exec java -Xss4m -cp "$dir/$jar" org.verapdf.apps.GreenfieldCliWrapper "\$@"
EOS
  chmod +x "$ROOT/.tools/bin/verapdf"
}

# Apache Chemistry's OpenCMIS InMemory server (a complete CMIS 1.1 repository) in Jetty,
# both pinned from Maven Central (the sync tests deliver to it, crates/sync/tests/sync/servers.rs): the WAR is rebuilt by scripts/opencmis/build-war.py with
# the repository "stadt" and Eingang's document type (scripts/opencmis/eingang-types.xml).
# Every URL needs HTTP BASIC (role eingang): accounts in a realm file named by -Deingang.realm
# (lines "user: password,eingang"), read by scripts/opencmis/jetty-realm.xml. Start:
#   java -Deingang.realm=REALM -jar .tools/opencmis/jetty-runner.jar --host 127.0.0.1 --port P
#        --path /cmis --config scripts/opencmis/jetty-realm.xml .tools/opencmis/eingang-cmis.war
#   (Browser Binding at /cmis/browser)
OPENCMIS_VERSION=1.1.0
OPENCMIS_SHA256=e64213571d416a5ff03a923693b97bb32d680b353af40d6807ce007197ae71d9
JETTY_RUNNER_VERSION=9.4.57.v20241219
JETTY_RUNNER_SHA256=f63fbee00a06f04a3f715267d5d53ba4389b5b3e9ecc6168d8b73d81243a883f
maven_fetch() { # URL-PATH SHA256 DEST
  [ -f "$3" ] && return 0
  curl -fsSL --retry 3 -o "$3.part" "https://repo1.maven.org/maven2/$1"
  echo "$2  $3.part" | sha256sum -c --quiet - || die "$1 does not match its pinned SHA-256"
  mv "$3.part" "$3"
}
opencmis_install() {
  local dir="$ROOT/.tools/opencmis" src="$ROOT/scripts/opencmis"
  mkdir -p "$dir"
  if ! [ -f "$dir/eingang-cmis.war" ] || [ "$src/eingang-types.xml" -nt "$dir/eingang-cmis.war" ] ||
    [ "$src/repository.properties" -nt "$dir/eingang-cmis.war" ] || [ "$src/build-war.py" -nt "$dir/eingang-cmis.war" ]; then
    say "OpenCMIS InMemory $OPENCMIS_VERSION and Jetty $JETTY_RUNNER_VERSION from Maven Central (into .tools/opencmis)"
    maven_fetch "org/apache/chemistry/opencmis/chemistry-opencmis-server-inmemory/$OPENCMIS_VERSION/chemistry-opencmis-server-inmemory-$OPENCMIS_VERSION.war" \
      "$OPENCMIS_SHA256" "$dir/inmemory-$OPENCMIS_VERSION.war"
    maven_fetch "org/eclipse/jetty/jetty-runner/$JETTY_RUNNER_VERSION/jetty-runner-$JETTY_RUNNER_VERSION.jar" \
      "$JETTY_RUNNER_SHA256" "$dir/jetty-runner.jar"
    python3 "$src/build-war.py" "$dir/inmemory-$OPENCMIS_VERSION.war" "$dir/eingang-cmis.war"
  fi
}
