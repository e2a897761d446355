"""Exporters of a `RetentionModel` to the forms other tools use (device_models.md 6.6 item 4).

- `power_law`: aihwkit `CustomDriftPCMLikeNoiseModel`'s drift dictionary {g_lst, nu_mean_lst,
  nu_std_lst} for G(t) = G0 ((t + t0) / t0)^-nu, nu ~ N(nu_mean(G), nu_std(G)) (family B);
- `snapshot_polynomials`: sd(G, t_k) = sum_i c_i(t_k) (G / g_max)^i at fixed times, lowest order
  first, as aihwkit `ReRamWan2022NoiseModel.coeff_dic` (family C);
- `cmo_form`: mu = G_p + c_m ln t (+ c_m0, which the CMO form lacks: 0 only when tau = 1 s),
  sigma = c_s1 ln t + c_s0 (G-independent, aihwkit `ReRamCMONoiseModel`), level-averaged.

Each is a least-squares fit of the model's own moments over `EXPORT_TIMES_S`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from calibration.retention.model import RetentionModel

EXPORT_TIMES_S = np.logspace(0, 5, 21)
"""1 s to 1e5 s: the span the exported forms are matched over (Levy tech C's longest read)."""

PCM_T0_S = 20.0
"""aihwkit PCMLikeNoiseModel's t_0 (device_models.md 1.3)."""

MIN_G_US = 0.1
"""Levels below this are exported at this conductance (a relative drift of 0 uS is undefined)."""

WAN_TIMES_S = (1.0, 86400.0, 172800.0)
"""The three times of aihwkit's ReRamWan2022NoiseModel (device_models.md 1.4)."""


def power_law(model: RetentionModel, t0_s: float = PCM_T0_S) -> dict[str, Any]:
    """nu_mean and nu_std per grid level: ln(mean / G0) = -nu_mean ln(1 + t/t0) and
    sd = G0 nu_std ln(1 + t/t0), least squares over EXPORT_TIMES_S."""
    g = np.maximum(np.asarray(model.g_grid_us, dtype=float), MIN_G_US)
    mean, sd = model.moments(g[:, None], EXPORT_TIMES_S[None, :])
    x = np.log1p(EXPORT_TIMES_S / t0_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        y_mean = -np.log(np.maximum(mean, 1e-9) / g[:, None])
        y_sd = sd / g[:, None]
    nu_mean = (y_mean * x).sum(1) / (x * x).sum()
    nu_std = (y_sd * x).sum(1) / (x * x).sum()
    return {
        "g_lst": g.tolist(),
        "nu_mean_lst": nu_mean.tolist(),
        "nu_std_lst": nu_std.tolist(),
        "t0_s": t0_s,
    }


def snapshot_polynomials(
    model: RetentionModel,
    times_s: tuple[float, ...] = WAN_TIMES_S,
    g_max_us: float | None = None,
    degree: int = 4,
) -> dict[str, Any]:
    """sd(G, t_k) polynomials in G / g_max (default: the top of the model's grid)."""
    g_max = float(g_max_us or model.g_grid_us[-1])
    g = np.linspace(model.g_grid_us[0], model.g_grid_us[-1], 64)
    coefficients = {}
    for t_s in times_s:
        _, sd = model.moments(g, t_s)
        coefficients[f"{t_s:g}"] = np.polynomial.polynomial.polyfit(g / g_max, sd, degree).tolist()
    return {"g_max_us": g_max, "coeff_dic": coefficients, "order": "lowest first"}


def cmo_form(model: RetentionModel) -> dict[str, float]:
    """G-independent c_m (uS per e-fold), c_s1 and c_s0 (uS) averaged over the grid levels."""
    g = np.asarray(model.g_grid_us, dtype=float)
    mean, sd = model.moments(g[:, None], EXPORT_TIMES_S[None, :])
    drift = (mean - g[:, None]).mean(axis=0)
    spread = sd.mean(axis=0)
    ln_t = np.log(EXPORT_TIMES_S)
    c_m, c_m0 = np.polyfit(ln_t, drift, 1)
    c_s1, c_s0 = np.polyfit(ln_t, spread, 1)
    return {
        "c_m_us": float(c_m),
        "c_m0_us": float(c_m0),
        "c_s1_us": float(c_s1),
        "c_s0_us": float(c_s0),
    }


def export_all(model: RetentionModel) -> dict[str, Any]:
    return {
        "power_law": power_law(model),
        "snapshot_polynomials": snapshot_polynomials(model),
        "cmo": cmo_form(model),
    }
