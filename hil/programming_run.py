"""A layer's programming run into a measurement file: map, place, write-verify in batches, resume.

Weights (in, out) are mapped to differential pairs and placed at the chip's origin: weight (i, j)
on devices (i, 2j) for G+ and (i, 2j + 1) for G-. Cells are programmed in batches of whole rows
(so pairs stay together); each finished batch is written to the file and, on a simulator, the
chip is checkpointed, so an interrupted run resumes with only the unfinished cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hil.backends import checkpointable
from hil.chip import Chip
from hil.mapping import MappingConfig, map_weights
from hil.program import WritePolicy, program
from hil.store import MeasurementFile

BATCH_CELLS = 16_384
"""Cells per batch (rounded to whole rows): the resume granularity."""


@dataclass(frozen=True)
class ProgrammingSummary:
    """Totals over every programmed device of the file."""

    devices: int
    success_pct: float
    pulses_mean: float
    pulses_median: float
    error_p99_us: float


class ProgrammingRun:
    """Programs the pending cells of a file's /programming maps on a chip."""

    def __init__(self, chip: Chip, store: MeasurementFile, policy: WritePolicy):
        self.chip, self.store, self.policy = chip, store, policy

    @classmethod
    def start(
        cls,
        chip: Chip,
        store: MeasurementFile,
        weights: np.ndarray,
        config: MappingConfig,
        policy: WritePolicy,
    ) -> ProgrammingRun:
        """Map and place the layer, record targets and policy, and open the file for SWMR."""
        info = chip.info()
        in_features, out_features = weights.shape
        if in_features > info.rows or 2 * out_features > info.cols:
            raise ValueError(
                f"a {in_features} x {out_features} layer needs {in_features} x "
                f"{2 * out_features} devices; the chip has {info.rows} x {info.cols} "
                "(tile the layer with hil.mapping.tile and program each tile)"
            )
        mapped = map_weights(weights, config)
        target = np.full((info.rows, info.cols), np.nan)
        target[:in_features, 0 : 2 * out_features : 2] = mapped.g_plus_us
        target[:in_features, 1 : 2 * out_features : 2] = mapped.g_minus_us
        store.write_targets(
            weights=weights,
            g_plus_us=mapped.g_plus_us,
            g_minus_us=mapped.g_minus_us,
            mapping=mapped.params.to_dict(),
            origin=(0, 0),
        )
        store.init_programming(target, policy.to_dict())
        run = cls(chip, store, policy)
        run._checkpoint()
        store.start_swmr()
        return run

    @classmethod
    def resume(cls, chip: Chip, store: MeasurementFile) -> ProgrammingRun:
        """Continue the run recorded in `store` (the chip must be the one it was started on)."""
        policy = WritePolicy.from_dict(store.programming().policy)
        store.start_swmr()
        return cls(chip, store, policy)

    def finish(self, progress: Callable[[int, int], None] | None = None) -> ProgrammingSummary:
        """Program every pending cell, batch by batch; returns totals over the whole file."""
        maps = self.store.programming()
        rows, cols = np.nonzero(maps.pending)
        total, done = int(maps.targeted.sum()), int(maps.done.sum())
        rows_per_batch = max(1, BATCH_CELLS // self.chip.info().cols)
        for first in range(0, int(rows.max(initial=-1)) + 1, rows_per_batch):
            batch = (rows >= first) & (rows < first + rows_per_batch)
            if not batch.any():
                continue
            r, c = rows[batch], cols[batch]

            def report(cells_done: int, _: int, offset: int = done) -> None:
                if progress is not None:
                    progress(offset + cells_done, total)

            result = program(self.chip, r, c, maps.target_us[r, c], self.policy, progress=report)
            self.store.write_programming(
                r,
                c,
                g_us=result.g_us,
                pulses=result.pulses,
                iterations=result.iterations,
                success=result.success,
            )
            self._checkpoint()
            done += int(batch.sum())
        if progress is not None:
            progress(total, total)
        return summarise(self.store)

    def _checkpoint(self) -> None:
        if checkpointable(self.chip):
            self.store.save_backend_state(self.chip.state())  # type: ignore[attr-defined]


def summarise(store: MeasurementFile) -> ProgrammingSummary:
    maps = store.programming()
    done = maps.done
    pulses = maps.pulses[done]
    return ProgrammingSummary(
        devices=int(done.sum()),
        success_pct=float(maps.success[done].mean() * 100) if done.any() else 0.0,
        pulses_mean=float(pulses.mean()) if done.any() else 0.0,
        pulses_median=float(np.median(pulses)) if done.any() else 0.0,
        error_p99_us=float(np.percentile(np.abs(maps.error_us[done]), 99)) if done.any() else 0.0,
    )
