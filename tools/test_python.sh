#!/usr/bin/env bash
# The README's promise beyond the machine's own Python: a second environment
# with another supported Python, Odoo 18.0 installed into it from a local
# source with Odoo's requirements.txt (from PyPI), then the suite there:
# Odoo's runner and pytest-odoo, on a database and HTTP port of its own.
#
#   SECOND_PYTHON  the Python to use; by default the first found of 3.12,
#                  3.10 and 3.11 whose version differs from .venv's
#   ODOO_SRC       a local Odoo 18.0 source (folder or archive); by default
#                  the source tree of the Odoo that .venv or python3 imports,
#                  else .odoo/src
#   SECOND_SCOPE   full (default): every test of every addon; qr: what CI
#                  runs, the tests of member cards' QR codes, printable card,
#                  portal pages and PIN (loyalty_cards only)
#   SECOND_TEST_DB, SECOND_HTTP_PORT  customer_suite_py312 (say) and 8369
#
# The environment lives in .venv-py312/, build/py312/ and .odoo-data-py312/
# (git-ignored) and is kept until its Python, the Odoo source or a
# requirements file changes. Without a second Python or a local source it
# says why and exits 0; a SECOND_PYTHON or ODOO_SRC that is given but unusable
# fails.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

scope=${SECOND_SCOPE:-full}
case $scope in full | qr) ;; *) die "SECOND_SCOPE is full or qr, not '$scope'." ;; esac

version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# The first working Python of a supported version other than $1. pyenv's
# shims (python3.12...) fail unless their version is selected: each
# candidate is run, and pyenv's own folders are searched too.
find_second_python() {
    local version candidate
    for version in 3.12 3.10 3.11; do
        [ "$version" != "$1" ] || continue
        for candidate in "python$version" "/usr/bin/python$version" \
            "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version".*/bin/python3; do
            if [ "$(version_of "$candidate")" = "$version" ]; then
                command -v "$candidate"
                return 0
            fi
        done
    done
    return 1
}

# The source tree of the Odoo that the main environment imports (when it is a
# source tree, not an installed package), else what `make setup` downloaded.
find_odoo_src() {
    local python dir
    for python in "$PY" python3; do
        dir=$(cd / && "$python" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))' 2>/dev/null) ||
            continue
        if [ -f "$dir/odoo/release.py" ] && [ -f "$dir/requirements.txt" ]; then
            echo "$dir"
            return 0
        fi
    done
    [ -f "$ROOT/.odoo/src/odoo/release.py" ] && echo "$ROOT/.odoo/src"
}

main_version=$(version_of "$PY" || version_of python3 || true)
if [ -n "${SECOND_PYTHON:-}" ]; then
    python=$(command -v "$SECOND_PYTHON") || die "SECOND_PYTHON=$SECOND_PYTHON not found."
    version=$(version_of "$python") || die "SECOND_PYTHON=$SECOND_PYTHON does not run."
elif python=$(find_second_python "$main_version"); then
    version=$(version_of "$python")
else
    say "Second Python: skipped, no supported Python (3.10 to 3.12) other than ${main_version:-the main one} found; set SECOND_PYTHON."
    exit 0
fi
if [ -z "${ODOO_SRC:-}" ]; then
    ODOO_SRC=$(find_odoo_src) || {
        say "Second Python: skipped, no local Odoo 18.0 source found; set ODOO_SRC to a source folder or archive."
        exit 0
    }
fi
export ODOO_SRC

export SUITE_ENV=py${version/./}
# lib.sh again, for this environment's paths.
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"
export TEST_DB=${SECOND_TEST_DB:-customer_suite_$SUITE_ENV}
export TEST_HTTP_PORT=${SECOND_HTTP_PORT:-8369}
if [ "$scope" = qr ]; then
    # Odoo's runner: the at_install classes (an HttpCase there would first
    # build every test asset bundle, about 90 s); pytest-odoo: those and the
    # HTTP ones (portal pages, the renderer's fallback).
    tests=addons/loyalty_cards/tests
    export TEST_ADDONS=loyalty_cards
    export TEST_TAGS=/loyalty_cards:TestMemberCardReport,/loyalty_cards:TestPin,/loyalty_cards:TestPinTools
    export PYTEST_TARGETS="$tests/test_report.py $tests/test_pin.py $tests/test_qr_code.py $tests/test_portal.py"
fi

say "Second Python: $("$python" -V) in ${VENV#"$ROOT"/}, Odoo 18.0 from $ODOO_SRC, database $TEST_DB, port $TEST_HTTP_PORT, scope $scope"
start=$SECONDS
PYTHON=$python HTTP_PORT=$TEST_HTTP_PORT "$ROOT/tools/setup.sh"
say "Second Python: set up in $((SECONDS - start)) s"
rc=0
"$ROOT/tools/test.sh" odoo pytest || rc=$?
say "Second Python: $("$python" -V), scope $scope, $((SECONDS - start)) s in all (logs: ${BUILD#"$ROOT"/}/logs)"
exit $rc
