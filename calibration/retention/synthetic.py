"""Synthetic relaxation data from a simulated chip: program levels, read at log-spaced times.

Ground truth for the fitter's validation (the chip's `DeviceParams` are known) and the
"fit -> simulate -> refit" loop (`SimChip(retention=model)`).
"""

from __future__ import annotations

import numpy as np

from calibration.retention.data import RelaxationData
from hil.backends.sim import SimChip

TIMES_S = (0.01, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5)
"""Read times after programming, s (Levy tech C spans 10 ms-1e5 s)."""


def simulate_levels(
    chip: SimChip,
    levels_us: np.ndarray,
    times_s: tuple[float, ...] = TIMES_S,
    tolerance_us: float = 0.5,
    temperature_k: float | None = None,
) -> RelaxationData:
    """Program every cell of `chip` to one of `levels_us` (round robin), read all cells right
    after programming (G0) and at `times_s` after it. Level index = position in `levels_us`.

    `temperature_k`: hold the chip at this temperature from the G0 read on (a bake campaign;
    programming stays at the chip's temperature)."""
    info = chip.info()
    rows, cols = np.meshgrid(np.arange(info.rows), np.arange(info.cols), indexing="ij")
    level = np.arange(rows.size) % len(levels_us)
    target = np.asarray(levels_us, dtype=float)[level].reshape(rows.shape)
    outcome = chip.program(rows, cols, target, tolerance_us)
    start = chip.time_s()
    g0 = chip.read_block().ravel().astype(float)
    if temperature_k is not None:
        chip.set_temperature(temperature_k)
    reads = []
    for t_s in times_s:
        chip.advance_time(start + t_s - chip.time_s())
        reads.append(chip.read_block().ravel().astype(float))
    g_us = np.stack(reads, axis=1)
    return RelaxationData(
        g0_us=g0,
        g_us=g_us,
        t_s=np.broadcast_to(np.asarray(times_s, dtype=float), g_us.shape).copy(),
        level=level,
        failed=np.asarray(outcome.outcome).ravel() != 0,
        source=f"SimChip {chip.params.name}",
        ambient_k=chip.params.t_ref_k if temperature_k is None else temperature_k,
    )
