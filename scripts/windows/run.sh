#!/bin/sh
# Cargo's runner for x86_64-pc-windows-gnu (scripts/windows.sh sets it): runs a test
# executable under Wine, with the test-only ProcessPrng DLL beside it and in the folder of
# the binaries the tests start (target/…/debug).
set -eu
exe="$1"
dir="$(dirname "$exe")"
for d in "$dir" "$dir/.."; do
  [ -f "$d/bcryptprimitives.dll" ] || cp "$EINGANG_PRNG_DLL" "$d/bcryptprimitives.dll"
done
# The app's tests link WebView2Loader.dll dynamically (the GNU target; webview2-com's build
# puts it in target/…/debug): beside the test executable in deps/ too.
if [ -f "$dir/../WebView2Loader.dll" ] && ! [ -f "$dir/WebView2Loader.dll" ]; then
  cp "$dir/../WebView2Loader.dll" "$dir/"
fi
exec /usr/lib/wine/wine64 "$@"
