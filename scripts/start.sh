#!/usr/bin/env bash
# Builds and starts Eingang, installing what is missing (Debian 12, as root).
# Zero configuration: data in the platform data folder (~/.local/share/eingang) unless
# --data-dir DIR or EINGANG_DATA_DIR says otherwise. Extra arguments go to the app.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PROFILE=debug
if [ "${1:-}" = "--release" ]; then PROFILE=release; shift; fi

apt_install "${APT_BUILD[@]}" "${APT_RUN[@]}"
need_rust
need_node
ui_install
ui_build
say "cargo build ($PROFILE)"
if [ "$PROFILE" = release ]; then cargo build -p eingang-app -p eingang-cli --release; else cargo build -p eingang-app -p eingang-cli; fi

APP="$ROOT/target/$PROFILE/eingang-app"
say "starting $APP  (CLI: $ROOT/target/$PROFILE/eingang doctor)"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  apt_install xvfb xauth
  say "no display found: running under Xvfb (nothing visible; Ctrl-C to stop)"
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$APP" "$@"
fi
exec "$APP" "$@"
