#!/usr/bin/env bash
# Serve the suite: a database ($DB) with every addon of ours installed with
# demo data, Odoo on http://127.0.0.1:8069. Re-running reuses the database;
# RESET=1 drops it first. RUN_SERVER=0 only prepares the database.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
load_env
DB=${DB:-customer_suite}

if [ "${RESET:-0}" = 1 ]; then
    say "Dropping database $DB"
    db_drop "$DB"
fi

# Odoo and its dependencies come from a template cached by click-odoo-initdb
# (keyed by a hash of the dependencies' files); our addons are installed on
# top so that their changes never invalidate the cache.
prepare_db() {
    local db=$1 addons
    addons=$(our_addons)
    say "Creating database $db with $(their_depends) (cached template)"
    "$VENV/bin/click-odoo-initdb" -c "$CONF" -n "$db" -m "$(their_depends)" \
        --demo --cache-prefix "$TEMPLATE_PREFIX" --cache-max-size 4
    if [ -n "$addons" ]; then
        say "Installing $addons with demo data into $db"
        if ! odoo_cmd -c "$CONF" -d "$db" -i "$addons" --stop-after-init --no-http; then
            db_drop "$db"
            die "Installing $addons failed; database $db dropped."
        fi
    fi
}

if db_exists "$DB"; then
    say "Reusing database $DB (make reset starts afresh)"
else
    prepare_db "$DB"
fi

if [ "${RUN_SERVER:-1}" = 1 ]; then
    say "Odoo serves $DB at http://127.0.0.1:$(awk -F' = ' '/^http_port/ {print $2}' "$CONF")/web/login (admin / admin); Ctrl-C stops it"
    exec "$PY" -m odoo -c "$CONF" -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 ${ODOO_ARGS:-}
fi
