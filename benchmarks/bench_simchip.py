"""SimChip at 1024 x 1024 (1M cells): read all, one pulse on all cells, advance time.

Baseline (same process): a plain numpy memory-bandwidth pass over the same state, copying every
per-cell state array once (`np.copyto`). The ratio op/baseline says how many "state copies" an
operation costs; targets (issue 3): read all < 100 ms, pulse all < 200 ms, < 200 B of state/cell.

    python benchmarks/bench_simchip.py [--quick]
"""

from __future__ import annotations

import time

import numpy as np
from harness import emit_json, parse_args, print_table

from hil.backends.sim import SimChip

SIDE = 1024


def best_of(fn, repeats: int) -> float:
    """Fastest wall time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def state_arrays(chip: SimChip) -> list[np.ndarray]:
    array = chip.array
    return [*vars(array.cells).values(), array.g_prog_us, array.t_write_eff_s, array.brownian,
            array.l_sampled, array.drift_a_us, array.diffusion_us]  # fmt: skip


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    repeats = 3 if args.quick else 7
    start = time.perf_counter()
    chip = SimChip(SIDE, SIDE, seed=0)
    create_s = time.perf_counter() - start
    rows = np.arange(SIDE)[:, None]
    cols = np.arange(SIDE)[None, :]
    sources = state_arrays(chip)
    targets = [np.empty_like(a) for a in sources]

    def copy_state() -> None:
        for target, source in zip(targets, sources, strict=True):
            np.copyto(target, source)

    def pulse_all() -> None:
        chip.pulse(rows, cols, 1.6, 1e-6)

    def advance() -> None:
        chip.advance_time(1.0)

    baseline_s = best_of(copy_state, repeats)
    read_s = best_of(chip.read_block, repeats)
    pulse_s = best_of(pulse_all, repeats)
    advance_s = best_of(advance, repeats)
    read_after_s = best_of(chip.read_block, repeats)  # cells now have relaxation to sample
    bytes_per_cell = chip.array.state_bytes_per_cell()
    rows_out = [
        ["baseline: copy all state", baseline_s * 1e3, 1.0, "-"],
        ["read all (fresh)", read_s * 1e3, read_s / baseline_s, "< 100 ms"],
        ["read all (after pulse + 1 s)", read_after_s * 1e3, read_after_s / baseline_s, "< 100 ms"],
        ["pulse all", pulse_s * 1e3, pulse_s / baseline_s, "< 200 ms"],
        ["advance time", advance_s * 1e3, advance_s / baseline_s, "-"],
    ]
    print(f"SimChip {SIDE} x {SIDE} = {SIDE * SIDE:,} cells; created in {create_s:.2f} s")
    print(f"state: {bytes_per_cell:.0f} bytes per cell (target < 200)\n")
    print_table(["operation", "ms", "x baseline", "target"], rows_out)
    emit_json(
        "simchip",
        {
            "quick": args.quick,
            "cells": SIDE * SIDE,
            "baseline_copy_ms": round(baseline_s * 1e3, 2),
            "read_all_ms": round(max(read_s, read_after_s) * 1e3, 1),
            "pulse_all_ms": round(pulse_s * 1e3, 1),
            "advance_time_ms": round(advance_s * 1e3, 4),
            "read_ratio": round(max(read_s, read_after_s) / baseline_s, 2),
            "pulse_ratio": round(pulse_s / baseline_s, 2),
            "state_bytes_per_cell": round(bytes_per_cell, 1),
            "meets_targets": bool(
                max(read_s, read_after_s) < 0.1 and pulse_s < 0.2 and bytes_per_cell < 200
            ),
        },
    )


if __name__ == "__main__":
    main()
