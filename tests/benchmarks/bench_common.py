"""Shared by the benchmarks: the size to run, timing, counting written rows
and reporting.

Benchmarks are pytest tests (run by pytest-odoo, never by Odoo's runner).
``make test`` runs them at the ``smoke`` scale, which checks that they work
and that their invariants hold; ``make bench`` runs the ``full`` scale of the
issues' targets and reports the figures. Timings are reported, not asserted:
they depend on the machine.
"""

import cProfile
import json
import os
import pstats
import re
import time
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import odoo.sql_db

REPORT_DIR = Path(__file__).resolve().parents[2] / "build" / "bench"
DML_RE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)


def scale():
    """``smoke`` (default), ``medium`` or ``full`` (BENCH_SCALE)."""
    return os.environ.get("BENCH_SCALE", "smoke")


@contextmanager
def profiled(name):
    """With BENCH_PROFILE=1, profile the block and print its top functions."""
    if not os.environ.get("BENCH_PROFILE"):
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        print(f"\nProfile of {name}:")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


@contextmanager
def timer(results, key):
    """Store the seconds the block takes in ``results[key]``."""
    start = time.perf_counter()
    yield
    results[key] = round(time.perf_counter() - start, 3)


@contextmanager
def written_rows(ignore_tables=()):
    """Count the rows each table gets inserted, updated or deleted in the
    block: yields a dict {table: rows}."""
    counts = {}
    execute = odoo.sql_db.Cursor.execute

    def counting_execute(self, query, params=None, log_exceptions=True):
        result = execute(self, query, params, log_exceptions)
        code = query.code if isinstance(query, odoo.tools.SQL) else str(query)
        match = DML_RE.match(code)
        if match and match.group(2) not in ignore_tables and self._obj.rowcount > 0:
            table = match.group(2)
            counts[table] = counts.get(table, 0) + self._obj.rowcount
        return result

    with patch.object(odoo.sql_db.Cursor, "execute", counting_execute):
        yield counts


def report(name, results):
    """Print the figures and keep them in build/bench/<name>-<scale>.json."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    results = {"benchmark": name, "scale": scale(), **results}
    (REPORT_DIR / f"{name}-{scale()}.json").write_text(
        json.dumps(results, indent=2) + "\n"
    )
    width = max(len(k) for k in results)
    lines = [f"  {key.ljust(width)}  {value}" for key, value in results.items()]
    print(f"\nBenchmark {name} ({scale()}):\n" + "\n".join(lines))
    return results
