#!/usr/bin/env bash
# The Windows build of Eingang, made and tested on this Debian machine (issue 23):
#   1. clippy -D warnings for x86_64-pc-windows-gnu over the whole workspace (the app, the CLI,
#      every crate and its tests; the end-to-end harness is Linux's: Xvfb, WebKitWebDriver) —
#      `clippy` alone, or as part of the tests' build;
#   2. the Rust test suites built for Windows and run under Wine 8 (a cargo runner), except
#      the tests listed in scripts/windows/skip.txt, each with the reason it cannot run there;
#   3. (installer) the release build of the app and the command line, the NSIS installer made
#      from scripts/windows/eingang.nsi with makensis, then installed silently under Wine and
#      `eingang.exe doctor` run from the installed place; without the WebView2 runtime the
#      installer must refuse and install nothing.
# `ci` (what scripts/test.sh runs on every CI run) does 1 and 2 in one build, then 3 from the
# debug programs that build made (the same installer script and checks; the optimised build
# — codegen-units=1, thin LTO — needs more than half an hour of both cores here): `installer`
# is the release one.
# Debian's rustc-web builds the standard library for the target from its sources
# (-Zbuild-std); the build goes to target/windows (its own toolchain, its own artifacts).
# Usage: scripts/windows.sh [clippy|test|installer|ci|all]   (default: all)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${APT_WINDOWS[@]}"
# The app embeds ui/dist at compile time (scripts/test.sh has built it already).
if ! [ -f ui/dist/index.html ]; then need_node; ui_install; ui_build; fi

TARGET=x86_64-pc-windows-gnu
# target/windows unless EINGANG_WINDOWS_TARGET names another place (e.g. for a release build
# beside a test build).
# Absolute: makensis reads relative paths from the script's folder.
WIN="$(realpath -m "${EINGANG_WINDOWS_TARGET:-$ROOT/target/windows}")"
export CARGO_TARGET_DIR="$WIN"
# Debian's toolchain, not rustup's: it has the standard library's sources for -Zbuild-std.
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$ROOT/scripts/windows/run.sh"
export WINEPREFIX="$WIN/wine" WINEDEBUG=-all
export EINGANG_PRNG_DLL="$WIN/bcryptprimitives.dll"
# The model's tests write the UI's TypeScript types; the Windows run writes its copy aside,
# never into ui/ where the Linux steps check and type-check them (possibly at the same time).
export TS_RS_EXPORT_DIR="$WIN/bindings"
FEATURES=(--features eingang-team/testing,eingang-mailbox/testing)
# cargo-clippy and clippy-driver from Debian's package (/usr/bin), not rustup's proxies.
# panic_abort too: the release profile aborts on panic, and build-std builds only what is named.
wcargo() { PATH="/usr/bin:$PATH" /usr/bin/cargo "$1" -Zbuild-std=std,panic_abort --target "$TARGET" "${@:2}"; }

# For running under Wine only, never shipped: Wine 8 lacks ProcessPrng, which Rust's std needs.
prng_dll() {
  if ! [ -f "$EINGANG_PRNG_DLL" ] || [ scripts/windows/processprng.c -nt "$EINGANG_PRNG_DLL" ]; then
    mkdir -p "$WIN"
    x86_64-w64-mingw32-gcc -shared -O2 -o "$EINGANG_PRNG_DLL" scripts/windows/processprng.c -ladvapi32
  fi
}

step="${1:-all}"

ci=""; [ "$step" = ci ] && ci=1

if [ "$step" = all ] || [ "$step" = clippy ]; then
  say "Windows: cargo clippy --target $TARGET --all-targets -- -D warnings"
  started=$SECONDS
  wcargo clippy --workspace --exclude eingang-e2e --all-targets "${FEATURES[@]}" --quiet -- -D warnings
  printf 'Windows clippy: %s s\n' "$((SECONDS - started))"
fi

if [ "$step" = all ] || [ "$step" = test ] || [ -n "$ci" ]; then
  # The tests' build lints as it compiles: clippy-driver (Debian's, matching /usr/bin/rustc)
  # compiles the workspace's crates with clippy's lints and -D warnings — what
  # `cargo clippy --all-targets -- -D warnings` does, in the same pass that builds the tests
  # instead of a second one (its arguments travel as `cargo clippy` passes them).
  export RUSTC_WORKSPACE_WRAPPER=/usr/bin/clippy-driver
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
  prng_dll
  if ! [ -f "$WINEPREFIX/system.reg" ]; then
    say "Wine: a fresh prefix in target/windows/wine"
    /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1
  fi
  say "Windows: Rust tests built for $TARGET, run under Wine"
  skips=()
  while read -r name _; do
    [ -n "$name" ] && [ "${name:0:1}" != "#" ] && skips+=(--skip "$name")
  done <scripts/windows/skip.txt
  # Doctests would need rustdoc for the target; the unit and integration tests run.
  LOG="$WIN/test.log"
  started=$SECONDS
  # Every target at once — the tests and the programs (eingang-app.exe, eingang.exe) under
  # one resolution of features, so `ci`'s installer takes these programs without a build of
  # its own.
  say "Windows: every target built and linted (clippy -D warnings)"
  wcargo build --workspace --exclude eingang-e2e --all-targets "${FEATURES[@]}" --quiet
  printf 'Windows build with clippy: %s s\n' "$((SECONDS - started))"
  set +e
  wcargo test --workspace --exclude eingang-e2e --tests "${FEATURES[@]}" --no-fail-fast -- "${skips[@]}" 2>&1 | tee "$LOG" |
    grep -E '^(test result|error|failures:|---- )|panicked at'
  status=${PIPESTATUS[0]}
  set -e
  passed=$(grep -oE '^test result: .* ([0-9]+) passed' "$LOG" | grep -oE '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
  failed=$(grep -oE '; [0-9]+ failed' "$LOG" | awk '{s += $2} END {print s + 0}')
  printf 'Windows tests under Wine: %s passed, %s failed, %s skipped by name (scripts/windows/skip.txt); built and run in %s s\n' \
    "$passed" "$failed" "$((${#skips[@]} / 2))" "$((SECONDS - started))"
  [ "$status" -eq 0 ] || die "Windows tests failed under Wine (full log: $LOG)"
  unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
fi

if [ "$step" = all ] || [ "$step" = installer ] || [ -n "$ci" ]; then
  profile=release; [ -n "$ci" ] && profile=debug
  compressor=()
  if [ -n "$ci" ]; then
    # The programs of the tests' build (with the tests' features); a quick compressor, as
    # this installer only proves the installation.
    compressor=(-DCOMPRESSOR=zlib)
  else
    say "Windows: release build of the app and the command line"
    started=$SECONDS
    wcargo build --release -p eingang-app -p eingang-cli --quiet
    printf 'Windows release build: %s s\n' "$((SECONDS - started))"
  fi
  REL="$WIN/$TARGET/$profile"
  VERSION=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' tauri.conf.json)
  OUT="$WIN/bundle/$profile/Eingang_${VERSION}_x64-setup.exe"
  mkdir -p "$WIN/bundle/$profile"
  say "makensis → $OUT"
  sign=()
  # The city's signing command (e.g. osslsigncode or signtool with its certificate; "%1" is
  # the file); without it the installer stays unsigned.
  [ -n "${EINGANG_SIGN_COMMAND:-}" ] && sign=("-DSIGN_COMMAND=$EINGANG_SIGN_COMMAND")
  makensis -V2 -WX "${compressor[@]}" -DVERSION="$VERSION" -DAPP="$REL/eingang-app.exe" -DCLI="$REL/eingang.exe" -DLOADER="$REL/WebView2Loader.dll" \
    -DOUT="$OUT" "${sign[@]}" scripts/windows/eingang.nsi
  printf 'installer size (%s build): %s KiB (app %s KiB, command line %s KiB)\n' "$profile" "$(($(stat -c %s "$OUT") / 1024))" \
    "$(($(stat -c %s "$REL/eingang-app.exe") / 1024))" "$(($(stat -c %s "$REL/eingang.exe") / 1024))"

  say "installing it under Wine (silent, per machine)"
  # A prefix of its own: nothing of the tests' prefix is installed or changed.
  export WINEPREFIX="$WIN/wine-install"
  rm -rf "$WINEPREFIX"
  /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1
  wine() { /usr/lib/wine/wine64 "$@"; }
  PF="$WINEPREFIX/drive_c/Program Files/Eingang"
  # Wine has no WebView2 runtime: the installer must refuse, and install nothing.
  if wine "$OUT" /S; then die "the installer ran without the WebView2 runtime"; fi
  [ ! -e "$PF/eingang-app.exe" ] || die "a refused installation left files in Program Files"
  echo "without WebView2: refused, nothing installed"
  # The runtime's registry entry (as the WebView2 installer writes it) stands in for it:
  # the window itself cannot run under Wine; everything else of the installation can.
  wine reg add 'HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}' \
    /v pv /t REG_SZ /d 120.0.0.0 /f /reg:64 >/dev/null
  wine "$OUT" /S || die "the silent installation failed"
  for f in eingang-app.exe eingang.exe WebView2Loader.dll uninstall.exe; do
    [ -f "$PF/$f" ] || die "not installed: Program Files\\Eingang\\$f"
  done
  cmp -s "$PF/eingang.exe" "$REL/eingang.exe" || die "the installed eingang.exe is not the one built"
  [ -d "$WINEPREFIX/drive_c/ProgramData/Eingang" ] || die "the machine configuration folder was not made"
  wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Eingang' /v DisplayVersion /reg:64 |
    grep -q "$VERSION" || die "the uninstall entry does not carry version $VERSION"
  wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\Eingang' /v EventMessageFile /reg:64 |
    grep -q 'EventLogMessages.dll' || die "the Event Log source Eingang was not registered"
  echo "installed: Program Files\\Eingang (eingang-app.exe, eingang.exe, WebView2Loader.dll, uninstall.exe), version $VERSION and the Event Log source registered"
  say "eingang.exe doctor from the installed place"
  prng_dll
  cp "$EINGANG_PRNG_DLL" "$PF/"
  wine "$PF/eingang.exe" doctor | sed -n 1,6p
  rm -f "$PF/bcryptprimitives.dll"
  # The silent uninstall removes the program and keeps what is not its own: the machine's
  # configuration (as software distribution wrote it) stays.
  MACHINE="$WINEPREFIX/drive_c/ProgramData/Eingang/config.toml"
  printf '[station]\nrole = "scan"\n' >"$MACHINE"
  wine "$PF/uninstall.exe" /S _?="C:\\Program Files\\Eingang" || die "the uninstaller failed"
  for _ in $(seq 100); do [ -e "$PF/eingang-app.exe" ] || break; sleep 0.1; done
  [ ! -e "$PF/eingang-app.exe" ] || die "the uninstaller left the program"
  if wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Eingang' /reg:64 >/dev/null 2>&1; then
    die "the uninstaller left its registry entry"
  fi
  [ -f "$MACHINE" ] || die "the uninstaller removed the machine's configuration"
  echo "uninstalled: program and registry entries removed, the machine's configuration kept"
fi

printf 'Windows (%s): %s s in all\n' "$step" "$SECONDS"
