"""Shared conventions of `benchmarks/bench_*.py`.

Each benchmark prints a readable table and, as its last line, one JSON object with its figures.
Speeds are reported as ratios against a baseline measured in the same process, so the figures
compare across machines; absolute rates are printed for context.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="shorter timing runs (CI smoke)")
    return parser.parse_args()


def rate_per_s(fn: Callable[[], object], *, min_time_s: float, repeats: int = 3) -> float:
    """Best-of-`repeats` calls per second of `fn`, each repeat running at least `min_time_s`."""
    best = 0.0
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time_s:
                break
        best = max(best, calls / elapsed)
    return best


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    cells = [headers, *[[_fmt(c) for c in row] for row in rows]]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def emit_json(name: str, figures: dict[str, object]) -> None:
    """The machine-readable last line."""
    record = {"benchmark": name, "python": platform.python_version(), **figures}
    print(json.dumps(record, sort_keys=True))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if value < 100 else f"{value:,.0f}"
    return str(value)
