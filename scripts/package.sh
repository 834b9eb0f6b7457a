#!/usr/bin/env bash
# Builds the release bundle for Debian/Ubuntu: a .deb from the Tauri bundler (the app —
# which is also the `eingang` command line, installed as a link — desktop entry, icons,
# version) and prints its size. With --install-check it then installs the package with
# dpkg, runs `eingang doctor` from it, starts the installed app under Xvfb until its
# first screen shows, and updates it through `eingang update install` from a signed
# package on a (local) share; one signed with another key must be refused.
# --ui-built: ui/dist is current and the release build was made from it (scripts/test.sh
# builds both before it calls this); building the UI again would only make cargo rebuild
# the app for new file times.
# The AppImage bundler downloads tools at build time and cannot run here; the Windows
# installer is built by scripts/windows.sh; macOS bundles need their platform.
# Usage: scripts/package.sh [--install-check] [--ui-built]
#        → target/release/bundle/deb/Eingang_<version>_amd64.deb
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${APT_BUILD[@]}"
need_rust
need_node
install_check="" ui_built=""
for arg in "$@"; do
  case "$arg" in
    --install-check) install_check=1 ;;
    --ui-built) ui_built=1 ;;
    *) die "unknown option $arg (usage: scripts/package.sh [--install-check] [--ui-built])" ;;
  esac
done
ui_install
[ -n "$ui_built" ] || ui_build
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

if [ -n "$install_check" ]; then
  say "dpkg -i $DEB"
  apt_install libwebkit2gtk-4.1-0 libgtk-3-0
  dpkg -i "$DEB" >/dev/null
  [ -L /usr/bin/eingang ] || die "the package did not install /usr/bin/eingang"
  CHECK="$(mktemp -d)"
  /usr/bin/eingang --data-dir "$CHECK" doctor | sed -n 1,3p
  say "starting the installed app under Xvfb"
  bash "$ROOT/scripts/bench-start.sh" /usr/bin/eingang-app 1

  say "update: a newer package, signed with tauri signer, from a share, installed by the app"
  # The same package under the next patch version stands in for a newer release.
  UPD="$(mktemp -d)"
  PKG="$(dpkg-deb -f "$DEB" Package)"
  NEXT="$(dpkg-deb -f "$DEB" Version | awk -F'[.+~-]' '{printf "%d.%d.%d", $1, $2, $3 + 1}')"
  NEW="Eingang_${NEXT}_amd64.deb"
  mkdir -p "$UPD/share"
  dpkg-deb -R "$DEB" "$UPD/pkg"
  sed -i "s/^Version: .*/Version: $NEXT/" "$UPD/pkg/DEBIAN/control"
  dpkg-deb -b "$UPD/pkg" "$UPD/share/$NEW" >/dev/null
  TAURI="$ROOT/ui/node_modules/.bin/tauri"
  "$TAURI" signer generate --ci -p "" -w "$UPD/key" >/dev/null
  "$TAURI" signer sign -f "$UPD/key" -p "" "$UPD/share/$NEW" >/dev/null
  printf '{"version":"%s","platforms":{"linux-x86_64-deb":{"url":"%s","signature":"%s"}}}\n' \
    "$NEXT" "$NEW" "$(cat "$UPD/share/$NEW.sig")" >"$UPD/share/latest.json"
  # The manifest is signed too (latest.json.sig): nobody can offer an old package as new.
  "$TAURI" signer sign -f "$UPD/key" -p "" "$UPD/share/latest.json" >/dev/null
  printf '[update]\nsource = "%s"\npubkey = "%s"\n' \
    "$UPD/share/latest.json" "$(cat "$UPD/key.pub")" >"$UPD/machine.toml"
  "$TAURI" signer generate --ci -p "" -w "$UPD/other" >/dev/null
  printf '[update]\nsource = "%s"\npubkey = "%s"\n' \
    "$UPD/share/latest.json" "$(cat "$UPD/other.pub")" >"$UPD/foreign.toml"
  # A release build reads the machine's configuration from /etc/eingang only (this is a
  # disposable CI machine; a file already there is put back afterwards).
  ETC=/etc/eingang/config.toml SAVED=""
  if [ -f "$ETC" ]; then SAVED="$UPD/etc-config.toml"; cp "$ETC" "$SAVED"; fi
  restore_etc() { if [ -n "$SAVED" ]; then cp "$SAVED" "$ETC"; else rm -f "$ETC"; fi; }
  mkdir -p /etc/eingang
  cp "$UPD/foreign.toml" "$ETC"
  # Another key in /etc: refused before anything is installed — and the environment cannot
  # name a friendlier configuration to a release build.
  if EINGANG_MACHINE_CONFIG="$UPD/machine.toml" /usr/bin/eingang --data-dir "$CHECK" update install; then
    restore_etc; die "an update not signed with the machine's key was installed"
  fi
  [ "$(dpkg-query -W -f '${Version}' "$PKG")" != "$NEXT" ] || { restore_etc; die "a refused update changed the package"; }
  cp "$UPD/machine.toml" "$ETC"
  /usr/bin/eingang --data-dir "$CHECK" update install || { restore_etc; die "the update failed"; }
  restore_etc
  [ "$(dpkg-query -W -f '${Version}' "$PKG")" = "$NEXT" ] || die "the update was not installed"
  [ -L /usr/bin/eingang ] || die "the update lost /usr/bin/eingang"
  printf 'update %s → %s installed through `eingang update install` (signed manifest, checked again from /var/cache/eingang)\n' "$(dpkg-deb -f "$DEB" Version)" "$NEXT"
  dpkg -i "$DEB" >/dev/null 2>&1   # back to the version just built
  rm -rf "$CHECK" "$UPD"
fi
