#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root) and runs the whole test suite:
# formatting, lints, Rust tests, UI unit tests and type check, the TypeScript bindings
# check, the end-to-end tests of the real app under Xvfb, the release .deb (on CI also
# installed and started), and the Windows build: clippy for the Windows target, the Rust
# tests under Wine and the NSIS installer installed under Wine (scripts/windows.sh ci, in
# the background).
# On 2 cores the order is the time: the Windows job and the Linux build start as soon as the
# UI is built, and compile while the test tools and servers are installed; the Rust tests and
# the end-to-end tests run from that one build (one resolution of features for the whole
# workspace, end-to-end crate included). The Windows job runs under nice 19 and ionice idle,
# but in a session of its own: where the kernel's autogroup scheduling is on (it is on the
# build machine), nice ranks only within a session, so it takes an equal share of the CPU,
# not only idle time. The release build and cargo-deny's compilation run in this session
# under nice 19: they take what the build and the tests leave.
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
# The app embeds ui/dist at compile time, so the UI is built before any cargo step.
ui_build
mkdir -p "$ROOT/target"

say "Windows: scripts/windows.sh ci started in the background (its output follows at the end)"
WIN_LOG="$ROOT/target/windows-ci.log"
# Its own session (see above), so a failing step here stops it with everything it started.
setsid nice -n 19 ionice -c 3 "$ROOT/scripts/windows.sh" ci >"$WIN_LOG" 2>&1 &
WIN_PID=$!
TOOLS_PID="" LIN_PID="" REL_PID="" XVFB_PID="" XVFB_LOG=""
cleanup() {
  local p
  for p in "$WIN_PID" "$TOOLS_PID" "$LIN_PID" "$REL_PID"; do
    if [ -n "$p" ]; then kill -- -"$p" 2>/dev/null || true; fi
  done
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; rm -f "$XVFB_LOG"; fi
}
trap cleanup EXIT
# spawn VAR OUT ERR COMMAND...: COMMAND in the background, in a process group of its own (job
# control) but in this session, so that cleanup stops it with its children; its pid in VAR.
spawn() {
  local var=$1 out=$2 err=$3
  shift 3
  set -m
  if [ "$out" = "$err" ]; then "$@" </dev/null >"$out" 2>&1 & else "$@" </dev/null >"$out" 2>"$err" & fi
  printf -v "$var" %s "$!"
  set +m
}
# tauri-driver (small, for the end-to-end tests) first, then cargo-deny (large, for the check
# made at the end) under nice 19: it takes only what the build the tests wait for leaves.
tools_install() { tauri_driver_install && renice -n 19 -p "$BASHPID" >/dev/null && cargo_deny_install; }

# The two cargo installs compile for minutes while the installs after them mostly
# download: they run side by side, waited for when needed.
TOOLS_LOG="$ROOT/target/tools-install.log"
spawn TOOLS_PID "$TOOLS_LOG" "$TOOLS_LOG" tools_install

# clippy's lints in the build the tests run from: clippy-driver as the compiler wrapper of
# the workspace's crates lints each one as it compiles it, with -D warnings (what `cargo
# clippy --all-targets -- -D warnings` checks; cargo clippy only type-checks, so the tests
# would compile the whole workspace a second time). Dependencies are compiled as they are,
# without lints. Exported only once the installs are done (a pip package built with cargo
# must not get it); the build below takes it on its command line.
LINT_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
LINT_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
[ -x "$LINT_WRAPPER" ] || die "clippy is missing: rustup component add clippy"
say "cargo clippy -D warnings, in the build of every target (lib, bins, tests, examples, benches), in the background"
# Every target of the whole workspace, the end-to-end crate included: `cargo test` below
# and the end-to-end step find everything built (src-tauri/Cargo.toml's dev-dependencies
# keep the features the same with and without that crate). The artifacts' list (JSON) names
# the end-to-end tests' program.
LIN_LOG="$ROOT/target/linux-build.log" LIN_JSON="$ROOT/target/linux-build.json"
spawn LIN_PID "$LIN_JSON" "$LIN_LOG" env RUSTC_WORKSPACE_WRAPPER="$LINT_WRAPPER" CLIPPY_ARGS="$LINT_ARGS" \
  cargo build --workspace --all-targets --quiet --message-format=json-render-diagnostics

verapdf_install
opencmis_install
pki_install
dav_servers_install

say "cargo fmt --check"
cargo fmt --all -- --check

export RUSTC_WORKSPACE_WRAPPER="$LINT_WRAPPER" CLIPPY_ARGS="$LINT_ARGS"
say "waiting for the build with clippy -D warnings"
if wait "$LIN_PID"; then lin_status=0; else lin_status=$?; fi
LIN_PID=""
cat "$LIN_LOG"
[ "$lin_status" -eq 0 ] || die "the build with clippy -D warnings failed (cargo build --workspace --all-targets; log above)"
E2E_TESTS=$(python3 - "$LIN_JSON" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line) if line.startswith("{") else {}
    if (m.get("reason") == "compiler-artifact" and "eingang-e2e" in m["package_id"]
            and m["target"]["kind"] == ["test"] and m["target"]["name"] == "app"
            and m["profile"]["test"] and m.get("executable")):
        print(m["executable"])
PY
)
[ -x "$E2E_TESTS" ] || die "the build made no end-to-end test program (eingang-e2e, tests/app)"

say "release build (for the .deb) started beside the tests"
# Not linted again (the same code was, above); nice 19 in this session: it takes the CPU the
# tests leave, most of all while the end-to-end tests wait for the app.
REL_LOG="$ROOT/target/release-build.log"
spawn REL_PID "$REL_LOG" "$REL_LOG" nice -n 19 ionice -c 3 env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
  cargo build --release -p eingang-app --quiet

say "Rust tests (regenerates the TypeScript bindings)"
cargo test --workspace --exclude eingang-e2e

say "TypeScript bindings are current"
"$ROOT/scripts/check-bindings.sh"

say "UI type check and unit tests"
(cd ui && npm run --silent check && npm test --silent)

say "end-to-end tests of the real app (tauri-driver + WebKitWebDriver under Xvfb)"
# tauri-driver comes first in the tools' job (cargo-deny may still be compiling).
while ! [ -x "$ROOT/.tools/bin/tauri-driver" ] && kill -0 "$TOOLS_PID" 2>/dev/null; do sleep 1; done
[ -x "$ROOT/.tools/bin/tauri-driver" ] || { cat "$TOOLS_LOG"; die "installing tauri-driver failed (log above)"; }
XVFB_LOG="$(mktemp)"
n=99; while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$XVFB_LOG" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
kill -0 "$XVFB_PID" 2>/dev/null || { cat "$XVFB_LOG"; die "Xvfb did not start"; }
# The program `cargo test -p eingang-e2e` would run, run from where cargo runs it (the
# crate's folder), with the app, the command line and the generator of the build above.
(cd tests/e2e && DISPLAY=":$n" EINGANG_APP="$ROOT/target/debug/eingang-app" TAURI_DRIVER="$ROOT/.tools/bin/tauri-driver" \
  "$E2E_TESTS" --test-threads=1 --nocapture)

if wait "$TOOLS_PID"; then tools_status=0; else tools_status=$?; fi
TOOLS_PID=""
cat "$TOOLS_LOG"
[ "$tools_status" -eq 0 ] || die "installing tauri-driver or cargo-deny failed (log above)"
say "cargo deny: licences, bans, sources (advisories need the RustSec database from GitHub, not reachable here)"
cargo deny --log-level error check licenses bans sources

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
