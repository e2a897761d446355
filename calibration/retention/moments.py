"""Per-level, per-time sample moments of dG = G(t) - G0: the sufficient statistics of the fit.

One pass over the data (np.bincount, no loop over cells) accumulates raw power sums of dG per
(level, block, time), where each level's cells are split at random into `BLOCKS` blocks. The point
fit uses the sums over blocks; a bootstrap replicate re-weights whole blocks with Poisson(1)
weights (a Poisson bootstrap of random groups of i.i.d. cells), so replicates cost one small
tensor contraction each instead of another pass over the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.retention.data import RelaxationData

BLOCKS = 96
"""Random blocks per level for the bootstrap (>= ~50 keeps percentile intervals near nominal)."""

POWERS = 5
"""Power sums of dG kept: w, dG, dG^2, dG^3, dG^4; plus sum of ln t for the time of each cell."""


@dataclass(frozen=True)
class BlockSums:
    """Power sums per (level, block, time): `sums` is (POWERS + 1, n_level, BLOCKS, n_time)."""

    sums: np.ndarray
    level_ids: np.ndarray
    g_us: np.ndarray
    """Mean G0 of each level (uS)."""
    n_cells: np.ndarray
    """Cells per level."""


@dataclass(frozen=True)
class LevelMoments:
    """Moments of dG per (level, time); every array is (n_level, n_time) unless noted."""

    g_us: np.ndarray
    """(n_level,) mean G0 per level, uS."""
    n: np.ndarray
    mean_us: np.ndarray
    var_us2: np.ndarray
    kurtosis: np.ndarray
    """Excess kurtosis of dG."""
    t_s: np.ndarray
    """Geometric mean of the read times, s."""


def block_sums(
    data: RelaxationData, min_cells: int = 30, seed: int = 0, include_failed: bool = False
) -> BlockSums:
    """Accumulate the power sums of dG for levels with at least `min_cells` cells.

    Failed cells (data.failed) are left out unless `include_failed`; unassigned cells (level -1)
    and missing reads (NaN) always are.
    """
    use = (data.level >= 0) & np.isfinite(data.g0_us)
    if not include_failed:
        use &= ~data.failed
    ids, counts = np.unique(data.level[use], return_counts=True)
    keep = ids[counts >= min_cells]
    if keep.size == 0:
        raise ValueError(f"no level has {min_cells} or more usable cells")
    position = np.full(int(data.level.max()) + 1, -1)
    position[keep] = np.arange(keep.size)
    cell_level = np.where(use, position[np.clip(data.level, 0, None)], -1)
    cells = cell_level >= 0
    rng = np.random.default_rng(seed)
    block = rng.integers(0, BLOCKS, data.n_cells)
    n_level, n_time = keep.size, data.n_time
    dg = data.g_us - data.g0_us[:, None]
    valid = cells[:, None] & np.isfinite(dg) & np.isfinite(data.t_s) & (data.t_s > 0)
    bins = (cell_level[:, None] * BLOCKS + block[:, None]) * n_time + np.arange(n_time)
    if valid.all():  # no gathering copies when every read of every cell counts
        flat_bins, x = bins.ravel(), dg.ravel()
    else:
        flat_bins, x = bins[valid], dg[valid]
    size = n_level * BLOCKS * n_time
    sums = np.empty((POWERS + 1, size))
    sums[0] = np.bincount(flat_bins, minlength=size)
    power = x.copy()
    for p in range(1, POWERS):
        sums[p] = np.bincount(flat_bins, power, minlength=size)
        if p < POWERS - 1:
            power *= x
    if np.all(data.t_s == data.t_s[:1]):  # one time per column (campaign files): ln t per column
        log_t = np.log(np.broadcast_to(data.t_s[:1], (size // n_time, n_time)).ravel())
        sums[POWERS] = sums[0] * log_t
    else:
        sums[POWERS] = np.bincount(flat_bins, np.log(data.t_s[valid]), minlength=size)
    g_sum = np.bincount(cell_level[cells], data.g0_us[cells], minlength=n_level)
    n_cells = np.bincount(cell_level[cells], minlength=n_level)
    return BlockSums(
        sums=sums.reshape(POWERS + 1, n_level, BLOCKS, n_time),
        level_ids=keep,
        g_us=g_sum / n_cells,
        n_cells=n_cells,
    )


def moments(blocks: BlockSums, weights: np.ndarray | None = None) -> LevelMoments:
    """Moments from the block sums; `weights` (n_level, BLOCKS) re-weights blocks (bootstrap)."""
    if weights is None:
        s = blocks.sums.sum(axis=2)
    else:
        s = np.einsum("plbt,lb->plt", blocks.sums, weights)
    return moments_from_sums(s, blocks.g_us)


def bootstrap_moments(blocks: BlockSums, n_boot: int, seed: int = 1) -> list[LevelMoments]:
    """`n_boot` Poisson-bootstrap replicates of the moments (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_level = blocks.level_ids.size
    weights = rng.poisson(1.0, (n_boot, n_level, BLOCKS)).astype(float)
    s = np.einsum("plbt,rlb->rplt", blocks.sums, weights)
    return [moments_from_sums(s[r], blocks.g_us) for r in range(n_boot)]


def moments_from_sums(s: np.ndarray, g_us: np.ndarray) -> LevelMoments:
    """Central moments from power sums `s` (POWERS + 1, n_level, n_time)."""
    n = s[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        m1, m2, m3, m4 = (s[p] / n for p in range(1, POWERS))
        var = m2 - m1**2
        c4 = m4 - 4 * m3 * m1 + 6 * m2 * m1**2 - 3 * m1**4
        kurtosis = c4 / var**2 - 3.0
        t_s = np.exp(s[POWERS] / n)
    unbiased = var * n / np.maximum(n - 1, 1)
    return LevelMoments(g_us=g_us, n=n, mean_us=m1, var_us2=unbiased, kurtosis=kurtosis, t_s=t_s)
