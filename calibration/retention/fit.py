"""Fitting a `RetentionModel` to relaxation data: estimator, bootstrap intervals, stuck cells.

Estimator (method of moments with weighted least squares, vectorised over levels and tau):
per level b and time point j, the sample mean m_bj and variance v_bj of dG = G(t) - G0 over the
level's cells (moments.py). With L_bj = ln(1 + t_bj / tau):

- a_b minimises sum_j (n_bj / v_bj) (m_bj - a_b L_bj)^2 (weights: 1 / Var of a sample mean);
- (s0_b^2, k_b) minimise sum_j n_bj / (2 vhat_bj^2) (v_bj - s0_b^2 - k_b L_bj)^2 (weights:
  1 / Var of a Gaussian sample variance at the fitted vhat, one re-weighting step); s0^2 is
  held at 0 when it would come out negative, or always with `intercept=False`; with
  `weighting="count"` both fits weight by n_bj alone (ordinary least squares on the moments);
- tau minimises the summed weighted squares over a log grid (one tau for all levels, or per
  level), refined by a parabola in log tau;
- heavy tails: the excess kurtosis of dG, kappa_bj = K f_bj^2 with f_bj = k L / (s0^2 + k L) the
  relaxation share of the variance, gives K by least squares; NLNV sigma_s = sqrt(ln(1 + K/3)),
  Student nu = 4 + 6/K.

Confidence intervals: percentile intervals of a Poisson bootstrap over random blocks of cells.
Failed cells (programming did not succeed, or G0 far from the level) are the stuck component.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from calibration.retention.data import RelaxationData
from calibration.retention.model import STUCK_QUANTILES, RetentionModel
from calibration.retention.moments import (
    BlockSums,
    LevelMoments,
    block_sums,
    bootstrap_moments,
    moments,
)

TAU_GRID_S = np.logspace(-5, 0, 51)
"""Candidate tau, 10 us to 1 s (Levy tech C: 0.1-32 ms, dataset README)."""

CI_LEVEL = 0.90

ESTIMATOR = (
    "method of moments: weighted least squares on per-level, per-time sample mean and variance "
    "of G(t) - G0; tau profiled on a log grid; tail from pooled excess kurtosis; "
    "Poisson block-bootstrap percentile intervals"
)


@dataclass(frozen=True)
class FitOptions:
    """How to fit. `tail`: gaussian (family A), nlnv or student (family D)."""

    tail: str = "gaussian"
    per_level_tau: bool = False
    intercept: bool = True
    n_boot: int = 200
    min_cells: int = 30
    activation_energy_ev: float = 1.2
    """Used to turn bake histories into effective time (fit it with `fit_arrhenius`)."""
    t_ref_k: float = 300.0
    interpolation: str = "pchip"
    weighting: str = "relative"
    """"relative": weights 1 / Var of each sample moment (Gaussian WLS, every time point counts
    alike in relative terms); "count": weights n only (ordinary least squares on the moments, so
    the long times with the largest variance dominate, as the dataset README's reference fit)."""
    seed: int = 0


@dataclass(frozen=True)
class Tables:
    """Per-level estimates; arrays are (n_level,)."""

    a_us: np.ndarray
    k_us2: np.ndarray
    s0_us: np.ndarray
    tau_s: np.ndarray
    tail_k: float
    """Pooled excess kurtosis K of the relaxation component."""
    chi2: float


@dataclass
class FitResult:
    """A fitted model with its intervals and the data summary it came from."""

    model: RetentionModel
    tables: Tables
    moments: LevelMoments
    ci: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Parameter name -> (low, high) of the CI_LEVEL percentile interval."""
    boot: dict[str, np.ndarray] = field(default_factory=dict)
    """Parameter name -> bootstrap replicates (n_boot, ...)."""


def fit(data: RelaxationData, options: FitOptions | None = None) -> FitResult:
    """Fit the log-time model (with `options.tail`) to `data`; see the module docstring."""
    opt = options or FitOptions()
    clean, stuck = split_stuck(data)
    blocks = block_sums(clean, opt.min_cells, opt.seed)
    mom = moments(blocks)
    t_eff = clean.effective_t_s(mom.t_s, opt.activation_energy_ev, opt.t_ref_k)
    tables = fit_tables(mom, t_eff, opt)
    result = FitResult(model=_model(tables, mom, opt, stuck, data), tables=tables, moments=mom)
    result.model.provenance["persistence"] = persistence(clean, result.model)
    if opt.n_boot > 0:
        _bootstrap(result, blocks, clean, opt)
    return result


def fit_tables(mom: LevelMoments, t_eff_s: np.ndarray, opt: FitOptions) -> Tables:
    """Per-level a, k, s0 and tau from moments at effective times `t_eff_s` (n_level, n_time)."""
    ok = (mom.n >= 2) & np.isfinite(mom.var_us2) & np.isfinite(t_eff_s)
    n = np.where(ok, mom.n, 0.0)
    m = np.where(ok, mom.mean_us, 0.0)
    v = np.where(ok, mom.var_us2, 1.0)
    t = np.where(ok, t_eff_s, 1.0)
    ell = np.log1p(t[None] / TAU_GRID_S[:, None, None])  # (tau, level, time)
    relative = opt.weighting == "relative"
    a, s0sq, k, chi2 = _solve(n, m, v, ell, opt.intercept, relative)
    if opt.per_level_tau:
        best = _refined_argmin(chi2)
    else:
        best = np.full(chi2.shape[1], _refined_argmin(chi2.sum(axis=1)[:, None])[0])
    tau = np.exp(np.interp(best, np.arange(TAU_GRID_S.size), np.log(TAU_GRID_S)))
    ell_best = np.log1p(t / tau[:, None])[None]
    a, s0sq, k, chi2 = (x[0] for x in _solve(n, m, v, ell_best, opt.intercept, relative))
    tail_k = _pooled_kurtosis(mom, ok, s0sq, k, ell_best[0])
    return Tables(
        a_us=a, k_us2=k, s0_us=np.sqrt(s0sq), tau_s=tau, tail_k=tail_k, chi2=float(chi2.sum())
    )


def _solve(
    n: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    ell: np.ndarray,
    intercept: bool,
    relative: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """WLS of the mean and variance lines, vectorised over (tau, level); returns (a, s0^2, k,
    chi2), each (tau, level)."""
    w_mean = n / v if relative else n
    a = (w_mean * m * ell).sum(-1) / np.maximum((w_mean * ell**2).sum(-1), 1e-300)
    vhat = np.broadcast_to(v, ell.shape)
    for _ in range(2):  # weights at the observed, then at the fitted variance
        w = n / (2 * np.maximum(vhat, 1e-12) ** 2) if relative else n + 0 * vhat
        s0sq, k = _line(w, ell, v, intercept)
        vhat = s0sq[..., None] + k[..., None] * ell
    chi2 = (w * (v - vhat) ** 2).sum(-1) + (w_mean * (m - a[..., None] * ell) ** 2).sum(-1)
    return a, s0sq, k, chi2


def _line(
    w: np.ndarray, x: np.ndarray, y: np.ndarray, intercept: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted fit y = c + k x with c >= 0 and k >= 0 (c = 0 without intercept)."""
    sw, sx, sy = w.sum(-1), (w * x).sum(-1), (w * y).sum(-1)
    sxx, sxy = (w * x * x).sum(-1), (w * x * y).sum(-1)
    k0 = np.maximum(sxy / np.maximum(sxx, 1e-300), 0.0)  # through the origin
    if not intercept:
        return np.zeros_like(k0), k0
    det = sw * sxx - sx**2
    with np.errstate(divide="ignore", invalid="ignore"):
        c = (sxx * sy - sx * sxy) / det
        k = (sw * sxy - sx * sy) / det
    bad = ~np.isfinite(c) | (c < 0)
    c = np.where(bad, 0.0, c)
    k = np.where(bad, k0, k)
    k_neg = k < 0  # variance not growing: a constant
    c = np.where(k_neg, np.maximum(sy / np.maximum(sw, 1e-300), 0.0), c)
    return c, np.maximum(k, 0.0)


def _refined_argmin(chi2: np.ndarray) -> np.ndarray:
    """Fractional grid index of each column's minimum (parabola through the best 3 points)."""
    i = np.argmin(chi2, axis=0)
    j = np.clip(i, 1, chi2.shape[0] - 2)
    cols = np.arange(chi2.shape[1])
    y0, y1, y2 = chi2[j - 1, cols], chi2[j, cols], chi2[j + 1, cols]
    curvature = y0 - 2 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(curvature > 0, 0.5 * (y0 - y2) / curvature, 0.0)
    return np.where(i == j, j + np.clip(offset, -0.5, 0.5), i).astype(float)


def _pooled_kurtosis(
    mom: LevelMoments, ok: np.ndarray, s0sq: np.ndarray, k: np.ndarray, ell: np.ndarray
) -> float:
    """K in kappa_bj = K f_bj^2 by least squares weighted by the cell count."""
    relax = k[:, None] * ell
    f = relax / np.maximum(s0sq[:, None] + relax, 1e-300)
    use = ok & np.isfinite(mom.kurtosis)
    w = np.where(use, mom.n, 0.0)
    kappa = np.where(use, mom.kurtosis, 0.0)
    return float(max((w * kappa * f**2).sum() / max((w * f**4).sum(), 1e-300), 0.0))


PERSISTENCE_CELLS = 50_000
"""Cells drawn for the persistence diagnostic (its sd is then below 0.005)."""


def persistence(data: RelaxationData, model: RetentionModel) -> dict[str, float] | None:
    """Same-cell correlation of dG at the first read at t >= 1 s and at the last read, measured
    (pooled over cells after removing each level's mean) and as a Brownian motion in L(t) plus
    independent s0 noise would give it (DM6.6 item 2: persistent vs independent part)."""
    if data.n_cells > PERSISTENCE_CELLS:
        pick = np.random.default_rng(0).choice(data.n_cells, PERSISTENCE_CELLS, replace=False)
        data = data.subset(np.sort(pick))
    nominal = data.nominal_t_s()
    first = np.flatnonzero(nominal >= 1.0)
    if first.size < 2:
        return None
    j1, j2 = int(first[0]), data.n_time - 1
    dg = data.g_us[:, [j1, j2]] - data.g0_us[:, None]
    mean, sd = model.moments(data.g0_us[:, None], data.t_s[:, [j1, j2]])
    z = (dg - (mean - data.g0_us[:, None])) / sd
    ok = np.all(np.isfinite(z), axis=1)
    if ok.sum() < 30:
        return None
    measured = float(np.corrcoef(z[ok, 0], z[ok, 1])[0, 1])
    tab = model.tables(data.g0_us[ok])
    ell = model.log_time(data.g0_us[ok, None], data.t_s[ok][:, [j1, j2]])
    var = tab["s0_us"][:, None] ** 2 + tab["k_us2"][:, None] * ell
    brownian = float(np.mean(tab["k_us2"] * ell[:, 0] / np.sqrt(var[:, 0] * var[:, 1])))
    return {
        "t1_s": float(nominal[j1]),
        "t2_s": float(nominal[j2]),
        "measured": measured,
        "brownian": brownian,
    }


def tail_param(tail: str, tail_k: float) -> float:
    """sigma_s (nlnv) or nu (student) of pooled excess kurtosis K (0 for gaussian)."""
    if tail == "nlnv":
        return float(np.sqrt(np.log1p(tail_k / 3.0)))
    if tail == "student":
        return float(4.0 + 6.0 / max(tail_k, 1e-3))
    return 0.0


def split_stuck(data: RelaxationData) -> tuple[RelaxationData, np.ndarray]:
    """(data without the failed cells, the failed cells' last finite conductances in uS).

    Failed cells are those the data marks (programming did not succeed) and those whose t = 0
    read is far from their level (more than 8 robust sd from the level median).
    """
    failed = data.failed.copy()
    levels = np.unique(data.level[data.level >= 0])
    order = np.argsort(data.level)
    sorted_levels = data.level[order]
    for lv in levels:  # a loop over levels (tens), not cells
        cells = order[
            np.searchsorted(sorted_levels, lv) : np.searchsorted(sorted_levels, lv, "right")
        ]
        g0 = data.g0_us[cells]
        median = np.median(g0)
        mad = 1.4826 * np.median(np.abs(g0 - median))
        if mad > 0:
            failed[cells] |= np.abs(g0 - median) > 8 * mad
    last = _last_finite(data.g_us[failed])
    stuck_values = np.where(np.isfinite(last), last, data.g0_us[failed])
    clean = data.subset(~failed) if failed.any() else data
    return clean, stuck_values


def _last_finite(g: np.ndarray) -> np.ndarray:
    finite = np.isfinite(g)
    if g.shape[1] == 0:
        return np.full(g.shape[0], np.nan)
    idx = g.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1)
    return np.where(finite.any(axis=1), g[np.arange(g.shape[0]), idx], np.nan)


def _model(
    tables: Tables,
    mom: LevelMoments,
    opt: FitOptions,
    stuck: np.ndarray,
    data: RelaxationData,
) -> RetentionModel:
    n_total = data.n_cells
    p_stuck = stuck.size / n_total if n_total else 0.0
    values: tuple[float, ...] = ()
    bandwidth = 0.0
    if stuck.size:
        values = tuple(np.quantile(stuck, np.linspace(0, 1, STUCK_QUANTILES)).tolist())
        # Silverman's rule of thumb for the kernel density of the stuck values
        bandwidth = float(1.06 * np.std(stuck) * stuck.size ** (-0.2)) if stuck.size > 1 else 0.0
    # the grid must increase strictly: levels in order of their mean G0, ties dropped
    order = np.argsort(mom.g_us, kind="stable")
    order = order[np.concatenate([[True], np.diff(mom.g_us[order]) > 0])]
    return RetentionModel(
        g_grid_us=tuple(mom.g_us[order].tolist()),
        a_us=tuple(tables.a_us[order].tolist()),
        k_us2=tuple(tables.k_us2[order].tolist()),
        tau_s=tuple(tables.tau_s[order].tolist()),
        s0_us=tuple(tables.s0_us[order].tolist()),
        tail=opt.tail,
        tail_param=tail_param(opt.tail, tables.tail_k),
        activation_energy_ev=opt.activation_energy_ev,
        t_ref_k=opt.t_ref_k,
        p_stuck=p_stuck,
        stuck_values_us=values,
        stuck_bandwidth_us=bandwidth,
        interpolation=opt.interpolation,
        provenance={
            "source": data.source,
            "estimator": ESTIMATOR,
            "options": {k: v for k, v in vars(opt).items()},
            "cells_per_level": mom.n.max(axis=1).astype(int).tolist(),
            "times_s": np.nanmedian(mom.t_s, axis=0).tolist(),
        },
    )


def _bootstrap(result: FitResult, blocks: BlockSums, clean: RelaxationData, opt: FitOptions):
    """Fill `result.boot` and `result.ci` (and the model's provenance) from block replicates."""
    reps: dict[str, list[Any]] = {"a_us": [], "k_us2": [], "s0_us": [], "tau_s": [], "tail": []}
    for mom in bootstrap_moments(blocks, opt.n_boot, opt.seed + 1):
        t_eff = clean.effective_t_s(mom.t_s, opt.activation_energy_ev, opt.t_ref_k)
        tab = fit_tables(mom, t_eff, opt)
        for name in ("a_us", "k_us2", "s0_us", "tau_s"):
            reps[name].append(getattr(tab, name))
        reps["tail"].append(tail_param(opt.tail, tab.tail_k))
    lo, hi = 50 * (1 - CI_LEVEL), 50 * (1 + CI_LEVEL)
    for name, values in reps.items():
        stack = np.asarray(values, dtype=float)
        result.boot[name] = stack
        result.ci[name] = (np.nanpercentile(stack, lo, axis=0), np.nanpercentile(stack, hi, axis=0))
    result.model.provenance["ci"] = {
        "level": CI_LEVEL,
        "n_boot": opt.n_boot,
        **{name: [low.tolist(), high.tolist()] for name, (low, high) in result.ci.items()},
    }
