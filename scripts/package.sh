#!/usr/bin/env bash
# Builds the release bundle for Debian/Ubuntu: a .deb from the Tauri bundler (the app —
# which is also the `eingang` command line, installed as a link — desktop entry, icons,
# version) and prints its size. With --install-check it then installs the package with
# dpkg, runs `eingang doctor` from it, and starts the installed app under Xvfb until its
# first screen shows.
# The AppImage bundler downloads tools at build time and cannot run here; Windows (MSI/NSIS)
# and macOS bundles are configured in tauri.conf.json but need their platforms to build.
# Usage: scripts/package.sh [--install-check]
#        → target/release/bundle/deb/Eingang_<version>_amd64.deb
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${APT_BUILD[@]}"
need_rust
need_node
ui_install
ui_build
say "cargo build --release (the app, with the command line inside)"
cargo build --release -p eingang-app
say "tauri bundle (deb)"
# The bundler takes the binaries just built (the UI is already embedded); it runs from
# src-tauri/ so it finds the app crate, not the workspace root.
(cd "$ROOT/src-tauri" && "$ROOT/ui/node_modules/.bin/tauri" bundle --bundles deb)
DEB=$(ls -t "$ROOT"/target/release/bundle/deb/*.deb | head -1)
[ -f "$DEB" ] || die "no .deb was made"
say "$DEB"
dpkg-deb --info "$DEB" | sed -n '/Package:/,/Description:/p'
printf 'installer size: %s KiB\n' "$(($(stat -c %s "$DEB") / 1024))"
printf 'installed size: %s KiB (dpkg Installed-Size)\n' "$(dpkg-deb -f "$DEB" Installed-Size)"

if [ "${1:-}" = "--install-check" ]; then
  say "dpkg -i $DEB"
  apt_install libwebkit2gtk-4.1-0 libgtk-3-0
  dpkg -i "$DEB" >/dev/null
  [ -L /usr/bin/eingang ] || die "the package did not install /usr/bin/eingang"
  CHECK="$(mktemp -d)"
  /usr/bin/eingang --data-dir "$CHECK" doctor | head -3
  say "starting the installed app under Xvfb"
  bash "$ROOT/scripts/bench-start.sh" /usr/bin/eingang-app 1
  rm -rf "$CHECK"
fi
