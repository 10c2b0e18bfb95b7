#!/usr/bin/env bash
# The benchmarks at BENCH_SCALE (full by default here; make test runs them at
# the smoke scale), against a database with every addon installed. Figures
# are printed and kept in build/bench/<benchmark>-<scale>.json.
#   tools/bench.sh [pytest args, e.g. -k customer_tiering]
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
load_env
cd "$ROOT"
export BENCH_SCALE=${BENCH_SCALE:-full}
export DB=${BENCH_DB:-customer_suite_bench}
db_exists "$DB" || RUN_SERVER=0 "$ROOT/tools/run.sh"
# One pytest run per benchmark, each on a freshly vacuumed database, so that
# one benchmark's rolled-back rows do not weigh on the next.
rc=0
for bench in tests/benchmarks/test_bench_*.py; do
    db_vacuum "$DB"
    "$VENV/bin/pytest" "$bench" -s -p no:cacheprovider \
        --odoo-database="$DB" --odoo-config="$CONF" --odoo-log-level=warn \
        --odoo-extra=test-file="$ROOT/tests" "$@" || {
        status=$?
        # 5: no test selected in this file (e.g. by -k).
        [ $status -eq 5 ] || rc=1
    }
done
exit $rc
