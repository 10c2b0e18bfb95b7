#!/usr/bin/env bash
# Export each addon's .pot from a database with every addon installed (demo
# data included, so demo records get translated too) and merge it into the
# addon's zh_CN.po and zh_TW.po: new strings arrive untranslated, translated
# ones are kept, obsolete ones dropped. Translate what is new, then commit.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
export DB=${I18N_DB:-customer_suite_i18n}
RESET=1 RUN_SERVER=0 "$ROOT/tools/run.sh"
addons=$(our_addons)
for addon in ${addons//,/ }; do
    pot=addons/$addon/i18n/$addon.pot
    mkdir -p "addons/$addon/i18n"
    fresh=$ROOT/build/i18n/$addon.pot
    mkdir -p "$ROOT/build/i18n"
    odoo_cmd -c "$CONF" -d "$DB" --i18n-export="$fresh" --modules="$addon" \
        --log-level=warn --stop-after-init
    "$PY" "$ROOT/tools/po_merge.py" --fresh="$fresh" "$pot" zh_CN zh_TW
done
db_drop "$DB"
say "Exported and merged: $addons"
