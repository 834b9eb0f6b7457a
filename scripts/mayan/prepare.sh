#!/usr/bin/env bash
# Installs Mayan EDMS (PyPI, pinned) into .tools/mayan and prepares a template data folder
# (.tools/mayan-template/media: migrated SQLite database, an API user, the "Eingang"
# document type with its metadata types). The sync tests copy the template for each test
# server, so the one-minute setup runs once. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.tools/mayan"
TEMPLATE="$ROOT/.tools/mayan-template"
STAMP="$TEMPLATE/.ready-4.12"
[ -f "$STAMP" ] && [ "$STAMP" -nt "$ROOT/scripts/mayan/setup_target.py" ] && exit 0
if ! [ -x "$VENV/bin/mayan-edms.py" ]; then
  echo "==> Mayan EDMS 4.12 into .tools/mayan (≈460 MB)"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -qq --disable-pip-version-check 'mayan-edms==4.12.*'
fi
echo "==> preparing the Mayan EDMS template (≈1 min)"
rm -rf "$TEMPLATE"
mkdir -p "$TEMPLATE"
export PYTHONPATH="$ROOT/scripts/mayan" DJANGO_SETTINGS_MODULE=eingang_mayan_settings \
  MAYAN_MEDIA_ROOT="$TEMPLATE/media" \
  MAYAN_SEARCH_BACKEND=mayan.apps.dynamic_search.backends.django.DjangoSearchBackend
"$VENV/bin/mayan-edms.py" common_initial_setup --no-dependencies >"$TEMPLATE/setup.log" 2>&1 ||
  { tail -30 "$TEMPLATE/setup.log"; exit 1; }
"$VENV/bin/mayan-edms.py" shell <"$ROOT/scripts/mayan/setup_target.py" >>"$TEMPLATE/setup.log" 2>&1 ||
  { tail -30 "$TEMPLATE/setup.log"; exit 1; }
touch "$STAMP"
