# Shared by the scripts in tools/: paths, messages and the database server.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# SUITE_ENV names a second environment beside the main one (py312, say, set
# by tools/test_python.sh): its own venv, build folder, Odoo data dir and
# cached template databases; PostgreSQL is shared.
SUITE_ENV=${SUITE_ENV:-}
VENV=$ROOT/.venv${SUITE_ENV:+-$SUITE_ENV}
PY=$VENV/bin/python
BUILD=$ROOT/build${SUITE_ENV:+/$SUITE_ENV}
CONF=$BUILD/odoo.conf
DATA_DIR=$ROOT/.odoo-data${SUITE_ENV:+-$SUITE_ENV}
# click-odoo-initdb's cache prefix (at most 8 characters).
TEMPLATE_PREFIX=cs${SUITE_ENV:-tmpl}
PGDIR=$ROOT/.pgdata
# Odoo stores naive UTC datetimes and relies on the process running in UTC
# (odoo-bin sets it; `python -m odoo` does not).
export TZ=UTC

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33m==> %s\033[0m\n' "$*" >&2; }
die() {
    printf '\033[31m==> %s\033[0m\n' "$*" >&2
    exit 1
}

# Run a command as the owner of the private PostgreSQL cluster: PostgreSQL
# refuses to run as root.
as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bindir() {
    local dir
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# Start the project's private PostgreSQL cluster if there is one and it is
# not running (after a reboot, say).
pg_ensure_private() {
    [ -f "$PGDIR/port" ] || return 0
    local bindir port
    bindir=$(pg_bindir) || die "PostgreSQL server binaries not found"
    port=$(cat "$PGDIR/port")
    if ! as_pg_owner "$bindir/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        say "Starting the private PostgreSQL cluster on 127.0.0.1:$port"
        as_pg_owner "$bindir/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PGDIR" start >/dev/null
    fi
}

# Load what `make setup` wrote, or stop with a hint.
load_env() {
    [ -x "$PY" ] && [ -f "$CONF" ] || die "Not set up yet: run 'make setup' first."
    # shellcheck source=/dev/null
    [ -f "$BUILD/env.sh" ] && . "$BUILD/env.sh"
    pg_ensure_private
}

odoo_cmd() {
    "$PY" -m odoo "$@"
}

# Our installable addons, dependencies first; their external dependencies.
our_addons() { "$PY" "$ROOT/tools/addons.py" list; }
their_depends() { "$PY" "$ROOT/tools/addons.py" deps; }

db_exists() {
    "$PY" - "$1" <<'EOF'
import sys
import psycopg2
conn = psycopg2.connect(dbname="postgres")
with conn.cursor() as cr:
    cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (sys.argv[1],))
    sys.exit(0 if cr.fetchone() else 1)
EOF
}

db_drop() {
    "$PY" - "$1" <<'EOF'
import sys
import psycopg2
from psycopg2 import sql
conn = psycopg2.connect(dbname="postgres")
conn.autocommit = True
with conn.cursor() as cr:
    cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(sys.argv[1])))
EOF
    rm -rf "$DATA_DIR/filestore/$1"
}

# VACUUM ANALYZE a database: benchmarks roll their data back, and the dead
# rows they leave would slow down the next one.
db_vacuum() {
    "$PY" - "$1" <<'EOF'
import sys
import psycopg2
conn = psycopg2.connect(dbname=sys.argv[1])
conn.autocommit = True
with conn.cursor() as cr:
    cr.execute("VACUUM ANALYZE")
EOF
}
