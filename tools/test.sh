#!/usr/bin/env bash
# The project's test command. Steps (all by default, or those named):
#   lint    ruff (check, format), pylint-odoo mandatory checks,
#           oca-odoo-pre-commit-hooks on modules and .po files
#   odoo    Odoo's own runner, the CI gate: a database from the cached
#           template of our dependencies, our addons installed into it with
#           --test-enable; fails on a failed test, on zero tests and on any
#           WARNING or ERROR in Odoo's log
#   pytest  pytest-odoo over the addons' tests and tests/ (repo-level
#           checks, cross-addon scenarios, benchmark smoke runs) against the
#           database the odoo step installed, browser tours included
#   suites  Odoo's own test suites of the modules our addons extend
#           (loyalty, rating, resource through test_resource) and its
#           test_lint linters, pylint aside, run by pytest-odoo against the
#           same database: they must pass with our addons installed
# Every step runs even when an earlier one fails; the exit code is non-zero
# if any failed. A subset: TEST_ADDONS (comma-separated addons to install and
# test, default all of ours), TEST_TAGS (Odoo's --test-tags for the odoo
# step), PYTEST_TARGETS (paths or test ids for the pytest step, default the
# addons' folders and tests/).
set -uo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
TEST_DB=${TEST_DB:-customer_suite_test}
TEST_HTTP_PORT=${TEST_HTTP_PORT:-8169}
LOGS=$BUILD/logs
mkdir -p "$LOGS"
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(lint odoo pytest suites)
# Odoo modules that only carry tests, installed in the test database's
# template so that the suites step can run them (never in `make run`).
ODOO_TEST_MODULES=test_lint,test_resource
# Odoo's own suites run by the suites step; pylint's tests need pylint 3,
# while pylint-odoo brings pylint 4.
ODOO_SUITES=(loyalty rating test_resource test_lint)
ODOO_SUITES_DESELECT="not TestPyLint and not TestPylintChecks"
addons=${TEST_ADDONS:-$(our_addons)}
addon_dirs=()
for a in ${addons//,/ }; do addon_dirs+=("addons/$a"); done

step_lint() {
    local rc=0 po_files
    say "lint: ruff"
    "$VENV/bin/ruff" check --no-fix . || rc=1
    "$VENV/bin/ruff" format --check . || rc=1
    if [ ${#addon_dirs[@]} -gt 0 ]; then
        say "lint: pylint-odoo (mandatory checks)"
        "$VENV/bin/pylint" --rcfile=.pylintrc-mandatory "${addon_dirs[@]}" || rc=1
        say "lint: oca-odoo-pre-commit-hooks"
        "$VENV/bin/oca-checks-odoo-module" "${addon_dirs[@]}" || rc=1
        mapfile -t po_files < <(ls addons/*/i18n/*.po addons/*/i18n/*.pot 2>/dev/null)
        if [ ${#po_files[@]} -gt 0 ]; then
            "$VENV/bin/oca-checks-po" "${po_files[@]}" || rc=1
        fi
    fi
    return $rc
}

step_odoo() {
    local log=$LOGS/odoo-tests.log rc=0 summary
    say "odoo: database $TEST_DB from the cached template of $(their_depends)"
    db_drop "$TEST_DB"
    "$VENV/bin/click-odoo-initdb" -c "$CONF" -n "$TEST_DB" \
        -m "$(their_depends),$ODOO_TEST_MODULES" \
        --demo --cache-prefix "$TEMPLATE_PREFIX" --cache-max-size 4 || return 1
    if [ -z "$addons" ]; then
        say "odoo: no addons yet, nothing to install"
        return 0
    fi
    say "odoo: installing $addons with --test-enable (log: ${log#"$ROOT"/})"
    odoo_cmd -c "$CONF" -d "$TEST_DB" -i "$addons" --test-enable --stop-after-init \
        ${TEST_TAGS:+--test-tags="$TEST_TAGS"} \
        --http-interface=127.0.0.1 --http-port="$TEST_HTTP_PORT" --log-level=info \
        2>&1 | tee "$log"
    [ "${PIPESTATUS[0]}" = 0 ] || { warn "odoo: the runner exited non-zero"; rc=1; }
    "$VENV/bin/checklog-odoo" --config checklog-odoo.cfg --no-echo "$log" ||
        { warn "odoo: WARNING or ERROR lines in the log"; rc=1; }
    summary=$(grep -E 'odoo.tests.result: .* of [0-9]+ tests when loading database' "$log" | tail -n 1)
    if [[ ! "$summary" =~ of\ ([0-9]+)\ tests ]] || [ "${BASH_REMATCH[1]}" = 0 ]; then
        warn "odoo: no test ran"
        rc=1
    fi
    say "odoo: ${summary#*odoo.tests.result: }"
    return $rc
}

step_pytest() {
    local log=$LOGS/pytest-odoo.log rc=0
    if ! db_exists "$TEST_DB" || [ -z "$addons" ]; then
        # Nothing installed yet: the repo-level checks still run, on a
        # database with our dependencies only.
        step_odoo >/dev/null || return 1
    fi
    rm -f "$log"
    local targets
    read -ra targets <<<"${PYTEST_TARGETS:-${addon_dirs[*]} tests}"
    say "pytest: ${targets[*]} against $TEST_DB (Odoo log: ${log#"$ROOT"/})"
    # Odoo's test mode without --test-enable (which would run the at_install
    # tests again whenever the registry loads): a test file turns it on (test
    # framework, request timeouts, tours' session) and is never run, since
    # pytest-odoo does not preload registries the way Odoo's server does.
    "$VENV/bin/pytest" "${targets[@]}" \
        --odoo-database="$TEST_DB" --odoo-config="$CONF" --odoo-log-level=warn \
        --odoo-http --odoo-extra="logfile=$log" --odoo-extra="test-file=$ROOT/tests" \
        -p no:cacheprovider || rc=1
    if [ -s "$log" ]; then
        "$VENV/bin/checklog-odoo" --config checklog-odoo.cfg --no-echo --no-err-if-empty "$log" ||
            { warn "pytest: WARNING or ERROR lines in Odoo's log"; rc=1; }
    fi
    return $rc
}

step_suites() {
    local log=$LOGS/odoo-suites.log rc=0 odoo_addons paths=()
    if ! db_exists "$TEST_DB" || [ -z "$addons" ]; then
        step_odoo >/dev/null || return 1
    fi
    odoo_addons=$(cd / && "$PY" -c 'import odoo.addons.base, os; print(os.path.dirname(os.path.dirname(odoo.addons.base.__file__)))')
    for suite in "${ODOO_SUITES[@]}"; do paths+=("$odoo_addons/$suite/tests"); done
    rm -f "$log"
    say "suites: Odoo's own tests of ${ODOO_SUITES[*]} against $TEST_DB with our addons (Odoo log: build/logs/odoo-suites.log)"
    "$VENV/bin/pytest" "${paths[@]}" -k "$ODOO_SUITES_DESELECT" \
        --odoo-database="$TEST_DB" --odoo-config="$CONF" --odoo-log-level=warn \
        --odoo-extra="logfile=$log" --odoo-extra="test-file=$ROOT/tests" \
        --rootdir="$ROOT" -p no:cacheprovider -q || rc=1
    if [ -s "$log" ]; then
        "$VENV/bin/checklog-odoo" --config checklog-odoo.cfg --no-echo --no-err-if-empty "$log" ||
            { warn "suites: WARNING or ERROR lines in Odoo's log"; rc=1; }
    fi
    return $rc
}

failed=()
start=$SECONDS
for step in "${steps[@]}"; do
    t0=$SECONDS
    if "step_$step"; then
        say "$step: passed in $((SECONDS - t0)) s"
    else
        warn "$step: FAILED after $((SECONDS - t0)) s"
        failed+=("$step")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    die "Failed: ${failed[*]} (total $((SECONDS - start)) s)"
fi
say "All passed: ${steps[*]} (total $((SECONDS - start)) s)"
