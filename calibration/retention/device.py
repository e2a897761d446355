"""Conversions between a `RetentionModel` and the simulated device's `DeviceParams`.

`from_device_params` is the model the numpy device model (hil/device/array.py, DM6.3) obeys, so
finetune loops can use a retention model before any fit exists. `to_device_params` goes the other
way, so a fitted model drives `SimChip` (`SimChip(retention=model)`).
"""

from __future__ import annotations

import numpy as np

from calibration.retention.model import STUCK_QUANTILES, RetentionModel
from hil.device.params import DeviceParams

WINDOW_REFERENCE_US = 40.0
"""The device model's relaxation grid is in uS for a 40 uS window and scales with g_max_us (DM6.3;
hil/device/array.py)."""

CONVERSION_TIMES_S = np.logspace(-2, 5, 29)
"""Times (10 ms to 1e5 s, the Levy tech-C range) over which a per-level tau is re-expressed at one
global tau when converting to the device model, which has a single tau."""


def from_device_params(params: DeviceParams | None = None) -> RetentionModel:
    """The retention model of the simulated device with `params` (default: Levy tech C).

    G0 is the programmed conductance G_p; s0 is the device's read-noise sd at G_p; the per-cell
    variance multiplier (relax_sigma) is the NLNV tail; stuck cells are the device's stuck cells.
    """
    p = params or DeviceParams()
    grid = np.asarray(p.relax_g_grid_us) * (p.g_max_us / WINDOW_REFERENCE_US)
    s0 = np.sqrt(p.read_noise_us**2 + (p.read_noise_rel * grid) ** 2)
    u = np.linspace(0.0, 1.0, STUCK_QUANTILES)  # quantile function of the stuck mixture
    rest = np.clip((u - p.p_stuck_at_g_min) / (1.0 - p.p_stuck_at_g_min + 1e-12), 0.0, 1.0)
    stuck = p.g_min_us + rest * (p.g_max_us - p.g_min_us)
    return RetentionModel(
        g_grid_us=tuple(grid.tolist()),
        a_us=tuple(p.relax_a_us),
        k_us2=tuple(p.relax_k_us2),
        tau_s=(p.relax_tau_s,) * grid.size,
        s0_us=tuple(s0.tolist()),
        tail="nlnv" if p.relax_sigma > 0 else "gaussian",
        tail_param=p.relax_sigma,
        activation_energy_ev=p.activation_energy_ev,
        t_ref_k=p.t_ref_k,
        p_stuck=p.p_stuck,
        stuck_values_us=tuple(stuck.tolist()) if p.p_stuck > 0 else (),
        interpolation="linear",
        provenance={"source": f"device model {p.name}"},
    )


def equivalent_sigma_s(model: RetentionModel) -> float:
    """The NLNV sigma_s with the same excess kurtosis as the model's tail (0 for Gaussian)."""
    if model.tail != "student":
        return model.tail_param if model.tail == "nlnv" else 0.0
    kurtosis = model.excess_kurtosis()
    if not np.isfinite(kurtosis):
        raise ValueError("a Student-t tail with <= 4 degrees of freedom has no NLNV equivalent")
    return float(np.sqrt(np.log1p(kurtosis / 3.0)))


def global_tau_tables(model: RetentionModel) -> tuple[float, np.ndarray, np.ndarray]:
    """(tau_s, a_us, k_us2) at one tau (the median level's), by least squares over 10 ms-1e5 s.

    With a single tau already, the tables come back unchanged.
    """
    tau = float(np.median(model.tau_s))
    a, k = np.asarray(model.a_us, dtype=float), np.asarray(model.k_us2, dtype=float)
    if np.allclose(model.tau_s, tau):
        return tau, a, k
    ell = np.log1p(CONVERSION_TIMES_S[None, :] / np.asarray(model.tau_s)[:, None])
    ell_global = np.log1p(CONVERSION_TIMES_S / tau)
    scale = (ell @ ell_global) / (ell_global @ ell_global)
    return tau, a * scale, k * scale


def to_device_params(model: RetentionModel, base: DeviceParams | None = None) -> DeviceParams:
    """`base` (default Levy tech C) with its relaxation, tail, E_a and stuck fraction from `model`.

    The device model is linear between grid points, has one tau and an NLNV tail, and stuck cells
    at G_min or uniform in the window; `model` is mapped onto that: a per-level tau is re-expressed
    at the median tau (`global_tau_tables`), a Student tail by the NLNV sigma_s of equal kurtosis,
    and the stuck values by the fraction of their quantiles at G_min. s0 is not mapped: the
    device's read noise stays as in `base`.
    """
    p = base or DeviceParams()
    tau, a, k = global_tau_tables(model)
    grid = np.asarray(model.g_grid_us) * (WINDOW_REFERENCE_US / p.g_max_us)
    if grid.size == 1:  # the device LUT needs two points: a flat table
        grid = np.array([grid[0], grid[0] + 1.0])
        a, k = np.repeat(a, 2), np.repeat(k, 2)
    stuck = np.asarray(model.stuck_values_us)
    at_min = p.p_stuck_at_g_min
    if stuck.size > 1:  # quantiles at G_min, less the one where the rest of the mass starts
        at_min = max(int(np.sum(stuck <= p.g_min_us + 1e-6)) - 1, 0) / (stuck.size - 1)
    return p.replace(
        relax_g_grid_us=_short(grid),
        relax_a_us=_short(a),
        relax_k_us2=_short(k),
        relax_tau_s=tau,
        relax_sigma=equivalent_sigma_s(model),
        activation_energy_ev=model.activation_energy_ev,
        t_ref_k=model.t_ref_k,
        p_stuck=model.p_stuck,
        p_stuck_at_g_min=at_min,
    )


def _short(values: np.ndarray) -> tuple[float, ...]:
    """6 significant digits: the device parameters travel as JSON in a simulator checkpoint of
    at most 4096 bytes (hil/store.py), and a fitted model can have 40 levels."""
    return tuple(float(f"{v:.6g}") for v in np.asarray(values, dtype=float))
