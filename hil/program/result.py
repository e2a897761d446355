"""Records of a write-verify run: per-cell results, summary statistics, the per-pulse trace.

Arrays are flat, in the order of the request (`rows[i]`, `cols[i]`). Conductances in uS.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from firmware_interface.protocol import CellOutcome
from hil.program.policy import WritePolicy

TRACE_DTYPE = np.dtype(
    [
        ("step", np.int32),
        ("cell", np.int32),
        ("v", np.float32),
        ("width_s", np.float32),
        ("g_after_us", np.float32),
    ]
)
"""One row per pulse: engine step, cell index into the request, signed cell voltage (V, > 0
SET), pulse width (s) and the verify read after the pulse (uS)."""

PULSE_HISTOGRAM_EDGES = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1 << 30)
"""Bin edges of the pulse-count histogram (counts in [edge_k, edge_k+1))."""

ERROR_PERCENTILES = (1.0, 5.0, 50.0, 95.0, 99.0)


@dataclass(frozen=True)
class ProgrammingStats:
    """Summary of a `ProgrammingResult` (JSON-ready through `to_dict`)."""

    n_cells: int
    success_pct: float
    pulses_total: int
    pulses_mean: float
    pulses_median: float
    pulses_p90: float
    pulses_p99: float
    pulses_max: int
    pulse_histogram: dict[str, int]
    """Cells per pulse-count bin, keyed "lo-hi" (hi exclusive)."""
    abs_error_us: dict[str, float]
    """|G - target| percentiles of all cells ("p50", "p90", "p99", "max"), uS."""
    error_us: dict[str, float]
    """Signed G - target percentiles (ERROR_PERCENTILES), uS."""
    pair_abs_error_us: dict[str, float] | None
    """|(G+ - G-) - (target+ - target-)| percentiles over complete pairs, uS (None: no pairs)."""
    pair_success_pct: float | None
    """Pairs whose weight error is within the primary's tolerance (None: no pairs)."""
    steps: int
    offloaded: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class ProgrammingResult:
    """Outcome of `hil.program.program` for every requested cell."""

    rows: np.ndarray
    cols: np.ndarray
    target_us: np.ndarray
    """Requested targets."""
    final_target_us: np.ndarray
    """Targets actually programmed: the request's, or retargeted by a pair partner's residual."""
    tolerance_us: np.ndarray
    """Band half-width per cell."""
    g_us: np.ndarray
    """Last verify read."""
    pulses: np.ndarray
    iterations: np.ndarray
    """Polarity iterations (ramps / 2, rounded up), as counted by the host or the chip."""
    outcome: np.ndarray
    """CellOutcome code of each device's own programming."""
    success: np.ndarray
    """In tolerance at the last verify: the device (or, pair-aware, its pair's weight error)."""
    partner: np.ndarray
    """Index of the pair partner in the request (column 2j <-> 2j + 1), -1 if none."""
    policy: WritePolicy
    offloaded: bool
    steps: int
    """Engine steps (one pulse call each), or on-chip PROGRAM batches when offloaded."""
    wall_time_s: float
    chip_time_s: float | None
    """Chip time the run took (virtual on simulators), None if the chip has real time only."""
    trace: np.ndarray | None = None
    """TRACE_DTYPE rows, one per pulse, if the policy asked for a trace."""

    @property
    def n_cells(self) -> int:
        return int(self.rows.size)

    @property
    def error_us(self) -> np.ndarray:
        """Last verify read minus the programmed (final) target, uS."""
        return self.g_us - self.final_target_us

    @property
    def pair_error_us(self) -> np.ndarray:
        """Weight error of each cell's pair in uS: (G+ - G-) - (target+ - target-) against the
        requested targets, with G+ the even column; NaN for cells without a partner."""
        error = np.full(self.n_cells, np.nan)
        has = self.partner >= 0
        me, other = np.flatnonzero(has), self.partner[has]
        sign = np.where(self.cols[me] % 2 == 0, 1.0, -1.0)
        diff = (self.g_us[me] - self.g_us[other]) - (self.target_us[me] - self.target_us[other])
        error[me] = sign * diff
        return error

    def stats(self) -> ProgrammingStats:
        """Success rate, pulse-count and error distributions."""
        pulses = self.pulses.astype(np.int64)
        abs_error = np.abs(self.error_us)
        counts, _ = np.histogram(pulses, bins=PULSE_HISTOGRAM_EDGES)
        labels = [
            f"{lo}-{hi}" if hi < (1 << 30) else f"{lo}+"
            for lo, hi in itertools.pairwise(PULSE_HISTOGRAM_EDGES)
        ]
        pair_abs, pair_success = None, None
        first = np.flatnonzero((self.partner >= 0) & (self.cols % 2 == 0))
        if first.size:
            pair_error = np.abs(self.pair_error_us[first])
            pair_abs = _percentiles(pair_error, (50.0, 90.0, 99.0))
            pair_abs["max"] = float(pair_error.max())
            pair_tol = np.maximum(self.tolerance_us[first], self.tolerance_us[self.partner[first]])
            pair_success = float(100.0 * np.mean(pair_error <= pair_tol))
        abs_pct = _percentiles(abs_error, (50.0, 90.0, 99.0))
        abs_pct["max"] = float(abs_error.max())
        return ProgrammingStats(
            n_cells=self.n_cells,
            success_pct=float(100.0 * self.success.mean()),
            pulses_total=int(pulses.sum()),
            pulses_mean=float(pulses.mean()),
            pulses_median=float(np.median(pulses)),
            pulses_p90=float(np.percentile(pulses, 90)),
            pulses_p99=float(np.percentile(pulses, 99)),
            pulses_max=int(pulses.max()),
            pulse_histogram={k: int(c) for k, c in zip(labels, counts, strict=True)},
            abs_error_us=abs_pct,
            error_us=_percentiles(self.error_us, ERROR_PERCENTILES),
            pair_abs_error_us=pair_abs,
            pair_success_pct=pair_success,
            steps=self.steps,
            offloaded=self.offloaded,
        )

    def yield_map(self, rows: int, cols: int, *, fill: bool = False) -> np.ndarray:
        """A (rows, cols) boolean map of the chip: True where a requested cell succeeded.

        Args:
            rows: Chip rows (word lines).
            cols: Chip device columns.
            fill: Value of cells that were not in the request.

        Raises:
            ValueError: if a requested cell lies outside (rows, cols).
        """
        if self.rows.size and (self.rows.max() >= rows or self.cols.max() >= cols):
            raise ValueError(f"the result has cells outside a {rows} x {cols} map")
        grid = np.full((rows, cols), fill, dtype=bool)
        grid[self.rows, self.cols] = self.success
        return grid

    def outcome_counts(self) -> dict[str, int]:
        """Cells per CellOutcome name."""
        return {o.name: int(np.count_nonzero(self.outcome == o)) for o in CellOutcome}


def _percentiles(values: np.ndarray, q: tuple[float, ...]) -> dict[str, float]:
    points = np.percentile(values, q)
    return {f"p{p:g}": float(v) for p, v in zip(q, points, strict=True)}
