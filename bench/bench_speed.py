"""Every speed row of issue 17 in one run, printed as one table.

Usage: python bench/bench_speed.py [--postgres URL] [--quick]

Each row is a measure beside its anchor measured in the same run on this machine, the ratio and
the issue's target. The rows come from the bench modules' `rows(...)` functions; a module that
is missing (or has no `rows`) is reported in one line and the run goes on. `--quick` runs small
sizes (a smoke run: the figures are not the ones to compare). The load average is printed at
the start and the end: the machine is shared, so a busy one shows there.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _rows import Row, print_rows


def machine(when: str) -> None:
    one, five, fifteen = os.getloadavg()
    print(
        f"{when}: load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )


def gather(module_name: str, args: tuple[Any, ...], quick: bool) -> list[Row]:
    """`module_name.rows(*args)` (with `quick=` where it takes one), or nothing if it is not
    there yet or fails (said in one line)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        print(f"{module_name}: not available ({exc})", flush=True)
        return []
    rows: Callable[..., list[Row]] | None = getattr(module, "rows", None)
    if rows is None:
        print(f"{module_name}: not available (no rows())", flush=True)
        return []
    kwargs = {"quick": quick} if "quick" in inspect.signature(rows).parameters else {}
    started = time.perf_counter()
    print(f"{module_name}: running ...", flush=True)
    try:
        found = list(rows(*args, **kwargs))
    except Exception as exc:
        traceback.print_exc()
        print(f"{module_name}: failed ({type(exc).__name__}: {exc})", flush=True)
        return []
    print(f"{module_name}: {len(found)} rows in {time.perf_counter() - started:.0f} s", flush=True)
    print_rows(found)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("EXCHANGE_TEST_POSTGRES_URL", ""),
        help="a PostgreSQL URL (default: EXCHANGE_TEST_POSTGRES_URL); none: SQLite rows only",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    postgres: str | None = args.postgres or None
    machine("start")
    started = time.perf_counter()
    rows: list[Row] = []
    rows += gather("bench_server", (postgres,), args.quick)
    rows += gather("bench_cli", (), args.quick)
    rows += gather("bench_reads", (None,), args.quick)
    if postgres:
        from _server import postgres_database

        with postgres_database(postgres) as url:
            rows += gather("bench_reads", (url,), args.quick)
    rows += gather("bench_simulation", (), args.quick)
    if postgres:
        rows += gather("bench_province", (postgres,), args.quick)
    else:
        print("bench_province: skipped (PostgreSQL only; pass --postgres URL)", flush=True)
    print()
    print(f"Speed (issue 17), {'quick smoke run' if args.quick else 'full run'}:")
    print_rows(rows)
    missed = [r for r in rows if r.met is False]
    print(
        f"{len(rows)} rows, {sum(r.met is True for r in rows)} targets met, {len(missed)} missed, "
        f"{sum(r.met is None for r in rows)} printed only; {time.perf_counter() - started:.0f} s"
    )
    machine("end")


if __name__ == "__main__":
    main()
