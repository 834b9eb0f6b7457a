#!/usr/bin/env bash
# Fails when the TypeScript types in ui/src/lib/bindings differ from what the Rust types
# generate. `cargo test -p eingang-model` (run by test.sh before this) writes them.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -q -p eingang-model export_bindings >/dev/null
changes=$(git status --porcelain -- ui/src/lib/bindings)
if [ -n "$changes" ]; then
  echo "The generated TypeScript bindings are stale:" >&2
  echo "$changes" >&2
  echo "Run 'cargo test -p eingang-model' and commit ui/src/lib/bindings." >&2
  exit 1
fi
echo "bindings current ($(git ls-files ui/src/lib/bindings | wc -l) files)"
