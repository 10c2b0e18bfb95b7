#!/usr/bin/env bash
# Set up everything the suite needs. Idempotent: a second run only checks.
#
# 1. Python ($PYTHON, python3 by default): a project virtual environment in
#    .venv. When that Python already imports Odoo 18.0, the venv sees it
#    (system site packages) and Odoo is left untouched. Otherwise Odoo 18.0
#    Community is installed into the venv with Odoo's own requirements.txt,
#    from ODOO_SRC (a source folder, used in place, or a source archive) or
#    else from its official nightly source archive (or the 18.0 branch of its
#    git repository). The venv is rebuilt when its Python, that source or
#    Odoo's requirements change.
# 2. The project's tools and libraries, pinned, from PyPI.
# 3. Chromium for the browser tours (Debian package), when missing.
# 4. PostgreSQL: the server named by the PG* variables or the local default;
#    when none answers, a private cluster in .pgdata listening on 127.0.0.1.
# 5. build/odoo.conf: addons path, data dir, HTTP bound to 127.0.0.1.
# With SUITE_ENV set (tools/test_python.sh), the venv, build folder and data
# dir are that environment's own (see tools/lib.sh).
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

PYTHON=${PYTHON:-python3}
ODOO_NIGHTLY_URL=${ODOO_NIGHTLY_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
PRIVATE_PG_PORT=${PRIVATE_PG_PORT:-54329}
HTTP_PORT=${HTTP_PORT:-8069}

imports_odoo18() {
    (cd / && "$1" -c 'import sys, odoo.release; sys.exit(odoo.release.version_info[0] != 18)') 2>/dev/null
}

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "Installing Debian packages: $*"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
            { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
    else
        warn "Please install these system packages: $*"
        return 1
    fi
}

# --- 1. Python and Odoo ------------------------------------------------------
command -v "$PYTHON" >/dev/null || die "$PYTHON not found; Python 3.10-3.12 is required."
"$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' ||
    die "Odoo 18.0 needs Python 3.10 to 3.12; $PYTHON is $("$PYTHON" -V 2>&1)."
venv_name=${VENV#"$ROOT"/}

py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

# The Odoo source to install when Python cannot import Odoo: ODOO_SRC when it
# names a folder (a checkout), otherwise .odoo/src (extracted from the
# ODOO_SRC archive, or downloaded).
odoo_src_dir() {
    if [ -n "${ODOO_SRC:-}" ] && [ -d "$ODOO_SRC" ]; then
        (cd "$ODOO_SRC" && pwd -P)
    else
        echo "$ROOT/.odoo/src"
    fi
}

is_odoo18_src() {
    [ -f "$1/odoo/release.py" ] && [ -f "$1/requirements.txt" ] &&
        "$PYTHON" -c 'import runpy, sys; sys.exit(runpy.run_path(sys.argv[1])["version_info"][0] != 18)' \
            "$1/odoo/release.py" 2>/dev/null
}

# A venv holding Odoo from a source is rebuilt when this changes: its Python,
# the source and Odoo's requirements (pinned per Python version).
odoo_venv_key() {
    { "$PYTHON" -V; echo "$1"; cat "$1/requirements.txt" "$ROOT/tools/pip-constraints-odoo.txt"; } 2>&1 |
        sha1sum | cut -d' ' -f1
}

# The venv can be kept: same Python, Odoo 18.0 imports, and when the set-up
# installed Odoo into it, from the same source and requirements.
venv_is_current() {
    [ -x "$PY" ] && [ "$(py_version "$PY")" = "$(py_version "$PYTHON")" ] && imports_odoo18 "$PY" || return 1
    [ ! -f "$VENV/.odoo-key" ] || [ "$(cat "$VENV/.odoo-key")" = "$(odoo_venv_key "$(odoo_src_dir)")" ]
}

# .odoo/src from the ODOO_SRC archive, or from Odoo's nightly archive (the 18.0
# branch of its git repository when the nightly is unavailable).
fetch_odoo_src() {
    local tmp=$ROOT/.odoo/src.tmp
    mkdir -p "$ROOT/.odoo"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC" ] || die "ODOO_SRC=$ODOO_SRC is neither a folder nor an archive of Odoo 18.0's source."
        tar -xf "$ODOO_SRC" -C "$tmp" --strip-components=1 ||
            die "Cannot extract ODOO_SRC=$ODOO_SRC (expected a source archive such as odoo_18.0.latest.tar.gz)."
        say "Extracted $ODOO_SRC into .odoo/src"
    elif curl -fsSL "$ODOO_NIGHTLY_URL" | tar -xz -C "$tmp" --strip-components=1; then
        say "Downloaded $ODOO_NIGHTLY_URL"
    else
        warn "Nightly archive unavailable; cloning the 18.0 branch of $ODOO_GIT_URL"
        rm -rf "$tmp"
        git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$tmp"
    fi
    rm -rf "$ROOT/.odoo/src"
    mv "$tmp" "$ROOT/.odoo/src"
}

if venv_is_current; then
    say "Odoo 18.0 is importable in $venv_name ($("$PY" -V))"
elif imports_odoo18 "$PYTHON"; then
    say "Using the Odoo 18.0 that $PYTHON imports: $(cd / && "$PYTHON" -c 'import odoo, os; print(os.path.dirname(odoo.__file__))')"
    rm -rf "$VENV"
    "$PYTHON" -m venv --system-site-packages "$VENV"
else
    src=$(odoo_src_dir)
    if [ -z "${ODOO_SRC:-}" ] && [ -f "$src/odoo/release.py" ]; then
        say "No importable Odoo 18.0: installing it into $venv_name from .odoo/src"
    elif [ -n "${ODOO_SRC:-}" ] && [ -d "$ODOO_SRC" ]; then
        say "No importable Odoo 18.0: installing it into $venv_name from $src"
    else
        say "No importable Odoo 18.0: installing Odoo 18.0 Community into $venv_name"
        fetch_odoo_src
    fi
    is_odoo18_src "$src" || die "$src holds no Odoo 18.0 source (odoo/release.py, requirements.txt)."
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    # Headers some of Odoo's pinned requirements compile against.
    if [ ! -f /usr/include/lber.h ] || [ ! -f /usr/include/sasl/sasl.h ] || ! command -v pg_config >/dev/null; then
        apt_install libldap2-dev libsasl2-dev libpq-dev || true
    fi
    say "Installing Odoo's requirements.txt into $venv_name ($("$PY" -V))"
    PIP_CONSTRAINT="$ROOT/tools/pip-constraints-odoo.txt" \
        "$VENV/bin/pip" install -qq -r "$src/requirements.txt"
    # Odoo is imported from its source, which stays as it is: a .pth file
    # (no editable install, which would write into a checkout).
    echo "$src" >"$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-src.pth"
    imports_odoo18 "$PY" || die "Odoo 18.0 was installed into $venv_name but does not import."
    odoo_venv_key "$src" >"$VENV/.odoo-key"
fi

# --- 2. The project's tools and libraries ------------------------------------
stamp=$VENV/.requirements.sha1
wanted=$(cat requirements.txt requirements-dev.txt | sha1sum | cut -d' ' -f1)
mkdir -p "$BUILD"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "Installing the project's tools and libraries (requirements*.txt)"
    "$VENV/bin/pip" install -qq --no-warn-conflicts -r requirements.txt -r requirements-dev.txt
    echo "$wanted" >"$stamp"
fi

# --- 3. Chromium for browser tours --------------------------------------------
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null &&
    ! command -v google-chrome >/dev/null; then
    apt_install chromium || warn "Without Chromium the browser tours cannot run."
fi

# Chinese screenshots (tools/screenshots.py) need a CJK font: without one,
# Chromium draws boxes. Skipped when a font for Chinese is present.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    apt_install fonts-noto-cjk || warn "Without a CJK font the Chinese screenshots show boxes."
fi

# --- 4. PostgreSQL -------------------------------------------------------------
: >"$BUILD/env.sh.new"
pg_answers() {
    "$PY" -c 'import psycopg2; psycopg2.connect(dbname="postgres").close()' 2>/dev/null
}
db_conf=""
if [ -f "$PGDIR/port" ]; then
    pg_ensure_private
    port=$(cat "$PGDIR/port")
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=odoo
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=odoo" >"$BUILD/env.sh.new"
    say "Using the private PostgreSQL cluster on 127.0.0.1:$port"
elif pg_answers; then
    say "Using PostgreSQL at ${PGHOST:-the local socket}${PGPORT:+:$PGPORT}"
elif PGHOST=127.0.0.1 pg_answers; then
    echo "export PGHOST=127.0.0.1" >"$BUILD/env.sh.new"
    say "Using PostgreSQL at 127.0.0.1"
else
    say "No PostgreSQL answers: starting a private cluster in .pgdata on 127.0.0.1:$PRIVATE_PG_PORT"
    bindir=$(pg_bindir) || { apt_install postgresql && bindir=$(pg_bindir); } ||
        die "PostgreSQL (>= 13) is required: install its server package."
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir "$PGDIR" postgres
    fi
    mkdir -p "$PGDIR/data"
    [ "$(id -u)" = 0 ] && chown -R postgres "$PGDIR"
    as_pg_owner "$bindir/initdb" -D "$PGDIR/data" -U odoo -A trust -E UTF8 >/dev/null
    echo "$PRIVATE_PG_PORT" >"$PGDIR/port"
    pg_ensure_private
    export PGHOST=127.0.0.1 PGPORT=$PRIVATE_PG_PORT PGUSER=odoo
    echo "export PGHOST=127.0.0.1 PGPORT=$PRIVATE_PG_PORT PGUSER=odoo" >"$BUILD/env.sh.new"
fi
mv "$BUILD/env.sh.new" "$BUILD/env.sh"
pg_answers || die "PostgreSQL does not answer."
if [ -n "${PGHOST:-}" ]; then
    db_conf="db_host = $PGHOST"$'\n'"db_port = ${PGPORT:-5432}"$'\n'"db_user = ${PGUSER:-$(id -un)}"
fi

# --- 5. Odoo configuration ------------------------------------------------------
odoo_addons=$(cd / && "$PY" - <<'EOF'
import os
import odoo

# Odoo's own addons live in odoo/addons (nightly archives, pip installs) or,
# in a git checkout, in a sibling addons/ folder. A sibling folder is used
# only when odoo/addons lacks the web client: some source copies carry an
# older partial addons/ folder beside a complete odoo/addons.
odoo_dir = os.path.dirname(odoo.__file__)
paths = [os.path.join(odoo_dir, "addons")]
sibling = os.path.join(os.path.dirname(odoo_dir), "addons")
if not os.path.isfile(os.path.join(paths[0], "web", "__manifest__.py")) and os.path.isdir(sibling):
    paths.append(sibling)
print(",".join(paths))
EOF
)
cat >"$CONF" <<EOF
; Generated by tools/setup.sh: edit that script, not this file.
[options]
addons_path = $odoo_addons,$ROOT/addons
data_dir = $DATA_DIR
http_interface = 127.0.0.1
http_port = $HTTP_PORT
$db_conf
EOF
say "Wrote build/odoo.conf (addons path: $odoo_addons,$ROOT/addons)"
say "Set-up done."
