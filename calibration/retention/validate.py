"""Model selection on held-out time points and goodness of fit (predicted vs measured quantiles).

`heldout` fits candidates on the reads at t <= split and scores each on the later reads: the
relative error of the predicted sd per level, the error of the predicted mean in units of the
measured sd, and the mean log-likelihood per held-out read (the tails count there).
`quantile_gof` compares quantiles of standardised residuals with the model's own quantiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.retention.data import RelaxationData
from calibration.retention.fit import FitOptions, fit
from calibration.retention.model import RetentionModel
from calibration.retention.moments import block_sums, moments

CANDIDATES: dict[str, FitOptions] = {
    "logtime": FitOptions(n_boot=0),
    "logtime-level-tau": FitOptions(n_boot=0, per_level_tau=True),
    "heavy": FitOptions(n_boot=0, tail="nlnv"),
    "heavy-student": FitOptions(n_boot=0, tail="student"),
}
"""Families compared by default: log-time Gaussian (global or per-level tau), NLNV, Student-t."""

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)

GAUSS_HERMITE_NODES = 24
"""Nodes of the quadrature over ln s that gives the NLNV density."""


@dataclass(frozen=True)
class HeldoutScore:
    name: str
    sd_rel_error: float
    """Median over levels and held-out times of |sd_pred / sd_meas - 1|."""
    sd_rel_error_max: float
    mean_error_sd: float
    """Median of |mean_pred - mean_meas| / sd_meas."""
    loglik_per_read: float


def heldout(
    data: RelaxationData,
    split_t_s: float,
    candidates: dict[str, FitOptions] | None = None,
) -> list[HeldoutScore]:
    """Fit each candidate on reads at t <= split_t_s; score on the later reads (best first)."""
    nominal = data.nominal_t_s()
    early, late = nominal <= split_t_s, nominal > split_t_s
    if not early.any() or not late.any():
        raise ValueError(f"split at {split_t_s} s leaves no reads on one side")
    train, test = data.subset(times=early), data.subset(times=late)
    test_moments = moments(block_sums(test))
    scores = []
    for name, options in (candidates or CANDIDATES).items():
        model = fit(train, options).model
        mean, sd = model.moments(test_moments.g_us[:, None], test_moments.t_s)
        sd_meas = np.sqrt(test_moments.var_us2)
        rel = np.abs(sd / sd_meas - 1)
        mean_err = np.abs(mean - test_moments.g_us[:, None] - test_moments.mean_us) / sd_meas
        use = np.isfinite(rel) & (test_moments.n >= 2)
        logpdf = log_density(model, test.g0_us[:, None], test.t_s, test.g_us)
        finite = np.isfinite(logpdf) & ~test.failed[:, None]
        scores.append(
            HeldoutScore(
                name=name,
                sd_rel_error=float(np.median(rel[use])),
                sd_rel_error_max=float(np.max(rel[use])),
                mean_error_sd=float(np.median(mean_err[use])),
                loglik_per_read=float(np.mean(logpdf[finite])),
            )
        )
    return sorted(scores, key=lambda s: -s.loglik_per_read)


def log_density(
    model: RetentionModel, g0_us: np.ndarray, t_s: np.ndarray, g_us: np.ndarray
) -> np.ndarray:
    """ln p(G(t) = g | G0) of working cells, per element (NaN where g is NaN).

    Gaussian: exact. NLNV: Gauss-Hermite quadrature over the lognormal variance multiplier.
    Student: a Student-t of the total variance (the Gaussian s0 part is folded into it).
    """
    mean, sd = model.moments(g0_us, t_s)
    tab = model.tables(g0_us)
    ell = model.log_time(g0_us, t_s)
    x = np.asarray(g_us, dtype=float) - mean
    if model.tail == "nlnv":
        nodes, weights = np.polynomial.hermite_e.hermegauss(GAUSS_HERMITE_NODES)
        sigma = model.tail_param
        s = np.exp(-(sigma**2) / 2 + sigma * nodes)
        var = tab["s0_us"][..., None] ** 2 + (tab["k_us2"] * ell)[..., None] * s
        dens = np.exp(-0.5 * x[..., None] ** 2 / var) / np.sqrt(2 * np.pi * var)
        return np.log((dens * weights).sum(-1) / weights.sum())
    if model.tail == "student":
        from scipy.stats import t as student

        nu = model.tail_param
        scale = sd * np.sqrt((nu - 2) / nu)
        return student.logpdf(x / scale, nu) - np.log(scale)
    return -0.5 * (x / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)


@dataclass(frozen=True)
class QuantileGof:
    """Standardised-residual quantiles per time point: measured vs the model's."""

    t_s: np.ndarray
    quantiles: np.ndarray
    measured: np.ndarray
    """(n_time, n_quantiles)."""
    predicted: np.ndarray
    """(n_quantiles,): the model's quantiles of (G - mean) / sd."""
    max_abs_error: float
    """Largest |measured - predicted| over times and quantiles, in sd units."""


def standardised_residuals(model: RetentionModel, data: RelaxationData) -> np.ndarray:
    """(G(t) - mean) / sd for every read of every working cell (cells x times, NaN if missing)."""
    mean, sd = model.moments(data.g0_us[:, None], data.t_s)
    z = (data.g_us - mean) / sd
    z[data.failed] = np.nan
    return z


def model_quantiles(model: RetentionModel, q: np.ndarray, n: int = 400_000) -> np.ndarray:
    """Quantiles of the model's unit-variance relaxation shape (by sampling, fixed seed)."""
    rng = np.random.default_rng(12345)
    return np.quantile(model.unit_relaxation((n,), rng), q)


def quantile_gof(model: RetentionModel, data: RelaxationData) -> QuantileGof:
    z = standardised_residuals(model, data)
    q = np.asarray(QUANTILES)
    measured = np.stack([np.nanquantile(z[:, j], q) for j in range(data.n_time)])
    predicted = model_quantiles(model, q)
    return QuantileGof(
        t_s=data.nominal_t_s(),
        quantiles=q,
        measured=measured,
        predicted=predicted,
        max_abs_error=float(np.nanmax(np.abs(measured - predicted))),
    )
