#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root) and runs the whole test suite:
# formatting, lints, Rust tests, UI unit tests and type check, the TypeScript bindings
# check, the end-to-end tests of the real app under Xvfb, the release .deb (on CI also
# installed and started), and the Windows build: clippy for the Windows target, the Rust
# tests under Wine and the NSIS installer installed under Wine (scripts/windows.sh ci, in
# the background). Background jobs run under nice 19 and ionice idle, but in a session of
# their own: where the kernel's autogroup scheduling is on (it is on the build machine), nice ranks
# only within that session, so they take an equal share of the CPU, not only idle time.
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
# The two cargo installs compile for minutes while the installs after them mostly
# download: they run side by side.
mkdir -p "$ROOT/target"
TOOLS_LOG="$ROOT/target/tools-install.log"
(tauri_driver_install && cargo_deny_install) >"$TOOLS_LOG" 2>&1 &
TOOLS_PID=$!
verapdf_install
opencmis_install
pki_install
dav_servers_install
if ! wait "$TOOLS_PID"; then cat "$TOOLS_LOG"; die "installing tauri-driver or cargo-deny failed (log above)"; fi
cat "$TOOLS_LOG"
# The app embeds ui/dist at compile time, so the UI is built before any cargo step.
ui_build

say "Windows: scripts/windows.sh ci started in the background (its output follows at the end)"
WIN_LOG="$ROOT/target/windows-ci.log"
# Its own process group, so a failing step here stops it with everything it started.
setsid nice -n 19 ionice -c 3 "$ROOT/scripts/windows.sh" ci >"$WIN_LOG" 2>&1 &
WIN_PID=$!
XVFB_PID="" XVFB_LOG="" REL_PID=""
cleanup() {
  if [ -n "$WIN_PID" ]; then kill -- -"$WIN_PID" 2>/dev/null || true; fi
  if [ -n "$REL_PID" ]; then kill -- -"$REL_PID" 2>/dev/null || true; fi
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; rm -f "$XVFB_LOG"; fi
}
trap cleanup EXIT

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo deny: licences, bans, sources (advisories need the RustSec database from GitHub, not reachable here)"
cargo deny --log-level error check licenses bans sources

# clippy's lints in the build the tests run from: clippy-driver as the compiler wrapper of
# the workspace's crates lints each one as it compiles it, with -D warnings (what `cargo
# clippy --all-targets -- -D warnings` checks; cargo clippy only type-checks, so the tests
# would compile the whole workspace a second time). The end-to-end crate is linted when its
# tests are built below. Dependencies are compiled as they are, without lints.
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
[ -x "$RUSTC_WORKSPACE_WRAPPER" ] || die "clippy is missing: rustup component add clippy"

say "cargo clippy -D warnings, in the build of every target (lib, bins, tests, examples, benches)"
cargo build --workspace --exclude eingang-e2e --all-targets --quiet

say "Rust tests (regenerates the TypeScript bindings)"
cargo test --workspace --exclude eingang-e2e

say "TypeScript bindings are current"
"$ROOT/scripts/check-bindings.sh"

say "UI type check and unit tests"
(cd ui && npm run --silent check && npm test --silent)

say "end-to-end tests of the real app (tauri-driver + WebKitWebDriver under Xvfb)"
cargo build -p eingang-app -p eingang-cli -p eingang-scalegen --quiet
# The release build (for the .deb below) compiles meanwhile, in the background like the
# Windows job: the end-to-end tests mostly wait for the app. Not linted again (the same code
# was, above); its own process group, so a failing step stops it.
REL_LOG="$ROOT/target/release-build.log"
setsid nice -n 19 ionice -c 3 env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
  cargo build --release -p eingang-app --quiet >"$REL_LOG" 2>&1 &
REL_PID=$!
XVFB_LOG="$(mktemp)"
n=99; while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$XVFB_LOG" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
kill -0 "$XVFB_PID" 2>/dev/null || { cat "$XVFB_LOG"; die "Xvfb did not start"; }
DISPLAY=":$n" EINGANG_APP="$ROOT/target/debug/eingang-app" TAURI_DRIVER="$ROOT/.tools/bin/tauri-driver" \
  cargo test -p eingang-e2e -- --test-threads=1 --nocapture

say "release bundle: .deb built$( [ -n "${CI:-}" ] && echo ", installed with dpkg and started")"
if wait "$REL_PID"; then rel_status=0; else rel_status=$?; fi
REL_PID=""
cat "$REL_LOG"
[ "$rel_status" -eq 0 ] || die "the release build failed (cargo build --release -p eingang-app; log above)"
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
# On CI (a disposable machine) the package is installed and the installed app started;
# elsewhere it is only built, so running the tests does not install anything system-wide.
if [ -n "${CI:-}" ]; then
  # The debug build has served its last test; CI's disk is shared and finite.
  say "freeing the debug build ($(du -sh "$ROOT/target/debug" | cut -f1)) before the package is made"
  rm -rf "$ROOT/target/debug"
  "$ROOT/scripts/package.sh" --install-check --ui-built
else
  "$ROOT/scripts/package.sh" --ui-built
fi

say "Windows: scripts/windows.sh ci"
if wait "$WIN_PID"; then win_status=0; else win_status=$?; fi
WIN_PID=""
cat "$WIN_LOG"
[ "$win_status" -eq 0 ] || die "the Windows build or its tests failed (scripts/windows.sh ci; log above)"
# A disposable machine: the Windows build's artifacts have served.
if [ -n "${CI:-}" ]; then rm -rf "$ROOT/target/windows"; fi

say "all checks passed"
