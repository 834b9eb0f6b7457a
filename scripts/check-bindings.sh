#!/usr/bin/env bash
# Fails when the committed TypeScript types in ui/src/lib/bindings differ from what the
# Rust types generate: a changed, added or removed type all count. The types are
# generated into a temporary folder and compared, so nothing in the tree is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
TS_RS_EXPORT_DIR="$fresh" cargo test -q -p eingang-model -p eingang-forms -p eingang-app export_bindings >/dev/null
if ! diff -r "$fresh" ui/src/lib/bindings; then
  echo "The generated TypeScript bindings in ui/src/lib/bindings are stale." >&2
  echo "Run 'cargo test -p eingang-model -p eingang-forms -p eingang-app export_bindings' (rm the folder first if a type was removed) and commit it." >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- ui/src/lib/bindings)
if [ -n "$untracked" ]; then
  echo "Generated bindings not committed: $untracked" >&2
  exit 1
fi
echo "bindings current ($(find ui/src/lib/bindings -type f | wc -l) files)"
