#!/usr/bin/env bash
# What `make run` promises, checked end to end on a scratch database: the
# server starts and http://127.0.0.1:<port>/web/login answers 200.
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "$0")/lib.sh"
load_env
export DB=${SMOKE_DB:-customer_suite_smoke}
port=${SMOKE_PORT:-8269}
log=$BUILD/logs/run-smoke.log
mkdir -p "$BUILD/logs"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; db_drop "$DB"' EXIT
RESET=1 ODOO_ARGS="--http-port=$port" "$ROOT/tools/run.sh" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/web/login" || true)
    if [ "$code" = 200 ]; then
        say "make run answers: http://127.0.0.1:$port/web/login -> 200"
        # The server must listen on the loopback interface only.
        listening=$(ss -Hltn "sport = :$port" | awk '{print $4}' | sort -u | tr '\n' ' ')
        [ "$listening" = "127.0.0.1:$port " ] || die "Odoo listens on: $listening(expected 127.0.0.1:$port only)"
        say "listening on 127.0.0.1:$port only"
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log"; die "make run stopped early (log: $log)"; }
    sleep 1
done
tail -n 40 "$log"
die "make run did not answer within 10 minutes (log: $log)"
