"""Arrhenius time scaling: E_a from campaigns with bakes or at several temperatures (DM2.2).

Time-temperature superposition: every read is placed at the effective time t_eff = integral of
exp[(E_a / k_B)(1/T_ref - 1/T(t'))] dt', and E_a is the value that lets one log-time model explain
all campaigns at once (levels near 0 uS, where reads clip, are left out). The moments of dG do not
depend on E_a (only their times do), so each candidate costs one small least-squares fit
(fit.fit_tables): E_a is profiled on a grid, refined by a parabola, and its interval is the
percentile interval of the same profile on bootstrap moments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from calibration.retention.data import RelaxationData
from calibration.retention.fit import CI_LEVEL, FitOptions, _refined_argmin, fit_tables
from calibration.retention.moments import BlockSums, block_sums, bootstrap_moments, moments

EA_GRID_EV = np.linspace(0.3, 2.5, 45)
"""Candidates, 0.3-2.5 eV (prior 1.0-1.5 eV; up to ~2.2 eV effective in RADAR, DM2.2)."""

BOOTSTRAP_WINDOW_EV = np.linspace(-0.5, 0.5, 21)
"""Offsets from the estimate searched by each bootstrap replicate (a replicate at the window's
edge marks an interval at least that wide)."""


@dataclass(frozen=True)
class ArrheniusFit:
    activation_energy_ev: float
    ci_ev: tuple[float, float]
    profile_chi2: np.ndarray
    """Weighted squares of the joint fit per EA_GRID_EV entry."""


def combine(datasets: list[RelaxationData]) -> tuple[RelaxationData, np.ndarray]:
    """One dataset whose time columns are those of all inputs side by side (NaN elsewhere), and
    the input index of every column. Levels must mean the same in every input."""
    n_time = sum(d.n_time for d in datasets)
    g_rows, t_rows, owner, start = [], [], [], 0
    for index, d in enumerate(datasets):
        g = np.full((d.n_cells, n_time), np.nan)
        t = np.full((d.n_cells, n_time), np.nan)
        g[:, start : start + d.n_time] = d.g_us
        t[:, start : start + d.n_time] = d.t_s
        g_rows.append(g)
        t_rows.append(t)
        owner += [index] * d.n_time
        start += d.n_time
    merged = RelaxationData(
        g0_us=np.concatenate([d.g0_us for d in datasets]),
        g_us=np.concatenate(g_rows),
        t_s=np.concatenate(t_rows),
        level=np.concatenate([d.level for d in datasets]),
        failed=np.concatenate([d.failed for d in datasets]),
        source=" + ".join(d.source for d in datasets),
    )
    return merged, np.asarray(owner)


def effective_times(
    datasets: list[RelaxationData], owner: np.ndarray, t_s: np.ndarray, ea_ev: float, t_ref_k: float
) -> np.ndarray:
    """Effective times of moment times `t_s` (n_level, n_time), column j under dataset owner[j]."""
    t_eff = np.empty_like(t_s)
    for j, index in enumerate(owner):
        t_eff[:, j] = datasets[index].effective_t_s(t_s[:, j], ea_ev, t_ref_k)
    return t_eff


FLOOR_SDS = 3.0
"""Levels whose G0 is within this many sd of dG (at their widest) of 0 uS are left out: reads
clipped at 0 shrink their variance at long effective times and bias E_a low."""


def unfloored(blocks: BlockSums) -> BlockSums:
    """`blocks` without the levels close enough to 0 uS for clipping to matter (FLOOR_SDS)."""
    widest = np.sqrt(np.nanmax(moments(blocks).var_us2, axis=1))
    keep = blocks.g_us > FLOOR_SDS * widest
    if not keep.any():
        raise ValueError("every level sits within 3 sd of 0 uS: E_a cannot be fitted")
    return BlockSums(
        blocks.sums[:, keep], blocks.level_ids[keep], blocks.g_us[keep], blocks.n_cells[keep]
    )


def fit_activation_energy(
    datasets: list[RelaxationData], options: FitOptions | None = None
) -> ArrheniusFit:
    """E_a (eV) that best superposes `datasets` (each with its own temperature history)."""
    opt = options or FitOptions()
    merged, owner = combine(datasets)
    blocks = unfloored(block_sums(merged, opt.min_cells, opt.seed))

    def profile(mom, grid: np.ndarray) -> tuple[float, np.ndarray]:
        chi2 = np.array(
            [
                fit_tables(
                    mom, effective_times(datasets, owner, mom.t_s, ea, opt.t_ref_k), opt
                ).chi2
                for ea in grid
            ]
        )
        index = _refined_argmin(chi2[:, None])[0]
        return float(np.interp(index, np.arange(grid.size), grid)), chi2

    ea, chi2 = profile(moments(blocks), EA_GRID_EV)
    local = ea + BOOTSTRAP_WINDOW_EV  # replicates search near the estimate only
    replicates = [profile(m, local)[0] for m in bootstrap_moments(blocks, opt.n_boot, opt.seed + 1)]
    lo, hi = (
        np.percentile(replicates, [50 * (1 - CI_LEVEL), 50 * (1 + CI_LEVEL)])
        if replicates
        else (ea, ea)
    )
    return ArrheniusFit(ea, (float(lo), float(hi)), chi2)


def at_reference_temperature(
    datasets: list[RelaxationData], ea_ev: float, t_ref_k: float
) -> RelaxationData:
    """All datasets as one, every read time replaced by its effective time at `t_ref_k`."""
    converted = [
        replace(d, t_s=d.effective_t_s(d.t_s, ea_ev, t_ref_k), ambient_k=t_ref_k, bakes=())
        for d in datasets
    ]
    return converted[0] if len(converted) == 1 else combine(converted)[0]
