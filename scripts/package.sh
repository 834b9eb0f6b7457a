#!/usr/bin/env bash
# Builds the release bundle for Debian/Ubuntu: a .deb from the Tauri bundler (the app, the
# `eingang` CLI beside it, desktop entry, icons, version) and prints its size.
# The AppImage bundler downloads tools at build time and cannot run here; Windows (MSI/NSIS)
# and macOS bundles are configured in tauri.conf.json but need their platforms to build.
# Usage: scripts/package.sh   → target/release/bundle/deb/Eingang_<version>_amd64.deb
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${APT_BUILD[@]}"
need_rust
need_node
ui_install
ui_build
say "cargo build --release (app and CLI)"
cargo build --release -p eingang-app -p eingang-cli
say "tauri bundle (deb)"
# The bundler takes the binaries just built; the UI is already embedded.
(cd "$ROOT" && "$ROOT/ui/node_modules/.bin/tauri" bundle --bundles deb)
DEB=$(ls -t "$ROOT"/target/release/bundle/deb/*.deb | head -1)
[ -f "$DEB" ] || die "no .deb was made"
say "$DEB"
dpkg-deb --info "$DEB" | sed -n '/Package:/,/Description:/p'
printf 'installer size: %s KiB\n' "$(($(stat -c %s "$DEB") / 1024))"
printf 'installed size: %s KiB (dpkg Installed-Size)\n' "$(dpkg-deb -f "$DEB" Installed-Size)"
