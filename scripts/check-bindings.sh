#!/usr/bin/env bash
# Fails when the TypeScript types generated from the Rust types differ from the committed
# ones in ui/src/lib/bindings: a changed, added or removed type all count, and the stale
# files are listed. The types are generated into a temporary folder and compared with what
# git holds (the index, i.e. what is committed or staged) — not with the working tree, which
# the Rust tests rewrite (TS_RS_EXPORT_DIR in .cargo/config.toml) before this check runs.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fresh="$work/fresh" committed="$work/committed"
mkdir -p "$fresh" "$committed"
# The package selection of scripts/test.sh's Rust tests, so the build they made serves
# (another selection unifies other features and compiles crates again).
TS_RS_EXPORT_DIR="$fresh" cargo test -q --workspace --exclude eingang-e2e --lib --bins --tests export_bindings >/dev/null
# What git holds for the folder, written out as files.
git ls-files -z -- ui/src/lib/bindings | xargs -0 -r git checkout-index --prefix="$committed/" --
committed="$committed/ui/src/lib/bindings"
mkdir -p "$committed"
stale=$(diff -rq "$fresh" "$committed" 2>&1 |
  sed -E "s#^Files $fresh/(.*) and .* differ#changed: \1#; s#^Only in $fresh(/?)(.*): (.*)#not committed: \2\1\3#; s#^Only in $committed(/?)(.*): (.*)#no longer generated: \2\1\3#" || true)
if [ -n "$stale" ]; then
  echo "The committed TypeScript bindings in ui/src/lib/bindings are stale:" >&2
  printf '  %s\n' "$stale" >&2
  echo "Run 'rm -rf ui/src/lib/bindings && cargo test -p eingang-model -p eingang-forms -p eingang-api -p eingang-app export_bindings', then commit ui/src/lib/bindings." >&2
  exit 1
fi
echo "bindings current ($(find "$fresh" -type f | wc -l) files, as committed)"
