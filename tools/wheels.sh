#!/usr/bin/env bash
# Build a wheel per addon (odoo_addon_<addon>-18.0.x.y.z-py3-none-any.whl)
# into dist/, with whool as each addon's pyproject.toml declares it. Builds
# in the project's venv (whool is pinned there), so no download is needed.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
mkdir -p dist
addons=$(our_addons)
[ -n "$addons" ] || die "No addons to package."
for addon in ${addons//,/ }; do
    "$VENV/bin/pip" wheel -qq --no-deps --no-build-isolation --wheel-dir dist "addons/$addon"
done
ls -1 dist/*.whl
