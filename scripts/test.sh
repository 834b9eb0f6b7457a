#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root) and runs the whole test suite:
# formatting, lints, Rust tests, UI unit tests and type check, the TypeScript bindings
# check, the end-to-end tests of the real app under Xvfb, the release .deb (on CI also
# installed and started), and the Windows build: clippy for the Windows target, the Rust
# tests under Wine and the NSIS installer installed under Wine (scripts/windows.sh ci, in
# the background at the lowest CPU and I/O priority, so it takes the time the Linux steps
# leave idle — the end-to-end tests mostly wait for the app).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export CARGO_TERM_COLOR=never
# Tests never touch the developer's own key store (passwords go into the test databases,
# data keys are wrapped under a test passphrase); .cargo/config.toml sets the same for
# every cargo command.
export EINGANG_KEYRING=off
export EINGANG_PASSPHRASE="only for the test suite, never for data"
# A fresh clone builds once: incremental caches would only fill the disk (they are several
# GiB for this workspace), so CI builds without them.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
say "disk: $(df -h --output=avail "$ROOT" | tail -1 | tr -d ' ') free where the build goes"

apt_install "${APT_BUILD[@]}" "${APT_TEST[@]}" "${APT_WINDOWS[@]}"
need_rust
need_node
ui_install
tauri_driver_install
cargo_deny_install
verapdf_install
opencmis_install
pki_install
dav_servers_install
# The app embeds ui/dist at compile time, so the UI is built before any cargo step.
ui_build

say "Windows: scripts/windows.sh ci started in the background (its output follows at the end)"
mkdir -p "$ROOT/target"
WIN_LOG="$ROOT/target/windows-ci.log"
# Its own process group, so a failing step here stops it with everything it started.
setsid nice -n 19 ionice -c 3 "$ROOT/scripts/windows.sh" ci >"$WIN_LOG" 2>&1 &
WIN_PID=$!
XVFB_PID="" XVFB_LOG=""
cleanup() {
  if [ -n "$WIN_PID" ]; then kill -- -"$WIN_PID" 2>/dev/null || true; fi
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; rm -f "$XVFB_LOG"; fi
}
trap cleanup EXIT

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo deny: licences, bans, sources (advisories need the RustSec database from GitHub, not reachable here)"
cargo deny --log-level error check licenses bans sources

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "Rust tests (regenerates the TypeScript bindings)"
cargo test --workspace --exclude eingang-e2e

say "TypeScript bindings are current"
"$ROOT/scripts/check-bindings.sh"

say "UI type check and unit tests"
(cd ui && npm run --silent check && npm test --silent)

say "end-to-end tests of the real app (tauri-driver + WebKitWebDriver under Xvfb)"
cargo build -p eingang-app -p eingang-cli -p eingang-scalegen --quiet
XVFB_LOG="$(mktemp)"
n=99; while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$XVFB_LOG" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
kill -0 "$XVFB_PID" 2>/dev/null || { cat "$XVFB_LOG"; die "Xvfb did not start"; }
DISPLAY=":$n" EINGANG_APP="$ROOT/target/debug/eingang-app" TAURI_DRIVER="$ROOT/.tools/bin/tauri-driver" \
  cargo test -p eingang-e2e -- --test-threads=1 --nocapture

say "release bundle: .deb built$( [ -n "${CI:-}" ] && echo ", installed with dpkg and started")"
# On CI (a disposable machine) the package is installed and the installed app started;
# elsewhere it is only built, so running the tests does not install anything system-wide.
if [ -n "${CI:-}" ]; then
  # The debug build has served its last test; CI's disk is shared and finite, and the
  # release build needs room of its own.
  say "freeing the debug build ($(du -sh "$ROOT/target/debug" | cut -f1)) before the release build"
  rm -rf "$ROOT/target/debug"
  "$ROOT/scripts/package.sh" --install-check
else
  "$ROOT/scripts/package.sh"
fi

say "Windows: scripts/windows.sh ci"
if wait "$WIN_PID"; then win_status=0; else win_status=$?; fi
WIN_PID=""
cat "$WIN_LOG"
[ "$win_status" -eq 0 ] || die "the Windows build or its tests failed (scripts/windows.sh ci; log above)"
# A disposable machine: the Windows build's artifacts have served.
if [ -n "${CI:-}" ]; then rm -rf "$ROOT/target/windows"; fi

say "all checks passed"
