"""Single-device characterisation on a bench: I-V sweep with a sinh fit, forming, cycling.

- I-V: a DC staircase 0 -> +v_max -> -v_max -> 0, fitted with the sinh I-V model of the device
  model (DM6.4, shared/reference/device_models.md): I = G V_r sinh(b V) / sinh(b V_r), which
  gives b (1/V) and G at the read voltage V_r (uS).
- Forming: a compliance-limited DC ramp that stops at the first current jump (the filament
  forms: I rises `jump_factor` times in one step, or reaches the compliance), as ArC ONE's
  FormFinder and arc2control's AutoFormer do (bench_anchors.md sections 1-2).
- Cycling: a train of SET and RESET pulses, each followed by a read (endurance / window test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

from hil.errors import LimitError
from hil.instruments.station import Station

FORMING_JUMP_FACTOR = 10.0
"""An unformed cell conducts ~nA (g ~ 0.01 uS), a formed one ~uA: a tenfold rise in one ramp
step is a jump, not the sinh curvature (sinh(2.7 x 0.1 V) steps rise by < 1.5x)."""
COMPLIANCE_FRACTION = 0.95
"""A reading at >= 95 % of the compliance means the SMU is limiting."""


@dataclass(frozen=True)
class SinhFit:
    """The sinh I-V model fitted to a sweep."""

    g_us: float
    """Conductance at the read voltage, uS."""
    b_per_v: float
    v_read_v: float
    rms_residual_a: float


@dataclass(frozen=True)
class IvSweep:
    v: np.ndarray
    """Applied voltages, V."""
    i_a: np.ndarray
    """Measured currents, A."""
    compliance_a: float
    fit: SinhFit


@dataclass(frozen=True)
class FormingResult:
    v: np.ndarray
    """Ramp voltages applied, V (the ramp stops after the jump)."""
    i_a: np.ndarray
    compliance_a: float
    formed: bool
    v_form_v: float
    """Voltage of the step at which the current jumped; NaN if it never did."""


@dataclass(frozen=True)
class CyclingResult:
    g_set_us: np.ndarray
    """Read after each SET pulse, uS (one per cycle)."""
    g_reset_us: np.ndarray
    """Read after each RESET pulse, uS."""
    v_set_v: float
    v_reset_v: float
    width_s: float

    @property
    def window_ratio(self) -> np.ndarray:
        """G_SET / G_RESET per cycle."""
        return self.g_set_us / np.maximum(self.g_reset_us, 1e-9)


def sinh_current_a(v: np.ndarray, g_us: float, b_per_v: float, v_read_v: float) -> np.ndarray:
    """I = G V_r sinh(b V) / sinh(b V_r), in A for G in uS (DM6.4)."""
    return g_us * 1e-6 * v_read_v * np.sinh(b_per_v * v) / np.sinh(b_per_v * v_read_v)


def fit_sinh(v: np.ndarray, i_a: np.ndarray, v_read_v: float) -> SinhFit:
    """Least-squares fit of `sinh_current_a` (b bounded to [1e-3, 20] 1/V)."""
    v, i_a = np.asarray(v, dtype=np.float64), np.asarray(i_a, dtype=np.float64)
    use = v != 0
    if use.sum() < 3:
        raise ValueError("an I-V fit needs at least 3 non-zero voltages")
    g0 = float(np.median(i_a[use] / v[use])) * 1e6
    scale = max(abs(g0), 1e-6)

    def model(x: np.ndarray, g_scaled: float, b: float) -> np.ndarray:
        return sinh_current_a(x, g_scaled * scale, b, v_read_v) / (scale * 1e-6)

    (g_scaled, b), _ = curve_fit(
        model,
        v[use],
        i_a[use] / (scale * 1e-6),
        p0=(g0 / scale, 1.0),
        bounds=([-np.inf, 1e-3], [np.inf, 20.0]),
    )
    g_us = float(g_scaled * scale)
    residual = i_a[use] - sinh_current_a(v[use], g_us, float(b), v_read_v)
    return SinhFit(g_us, float(b), v_read_v, float(np.sqrt(np.mean(residual**2))))


def sweep_voltages(v_max_v: float, n_per_branch: int) -> np.ndarray:
    """0 -> +v_max -> -v_max -> 0 in equal steps (`n_per_branch` points per quarter)."""
    if v_max_v <= 0 or n_per_branch < 2:
        raise ValueError("need v_max_v > 0 and at least 2 points per branch")
    up = np.linspace(0.0, v_max_v, n_per_branch)
    return np.concatenate([up, up[::-1][1:], -up[1:], -up[::-1][1:]])


def iv_sweep(
    station: Station, row: int, col: int, v_max_v: float, n_per_branch: int = 11
) -> IvSweep:
    """A DC I-V sweep of cell (row, col) at the read compliance, with its sinh fit."""
    voltages = sweep_voltages(v_max_v, n_per_branch)
    compliance = station.config.limits.read_compliance_a
    currents = station.sweep_a(row, col, voltages, compliance)
    fit = fit_sinh(voltages, currents, station.config.limits.v_read_v)
    return IvSweep(voltages, currents, compliance, fit)


def form(
    station: Station,
    row: int,
    col: int,
    *,
    v_stop_v: float,
    v_step_v: float = 0.05,
    v_start_v: float = 0.0,
    compliance_a: float = 1e-4,
) -> FormingResult:
    """Ramp the DC voltage on cell (row, col) until the current jumps (forming) or `v_stop_v`.

    The compliance caps the current through the freshly formed filament; it is checked against
    the bench limits (and `v_stop_v` against the SMU's) before the first step.
    """
    if not 0 <= v_start_v < v_stop_v or v_step_v <= 0:
        raise ValueError("need 0 <= v_start_v < v_stop_v and v_step_v > 0")
    smu = station.smu
    high = smu.voltage_bounds_v[1]
    if v_stop_v > high:
        raise LimitError(f"forming ramp to {v_stop_v} V exceeds the bench limit {high:g} V")
    c_low, c_high = smu.compliance_bounds_a
    if not c_low <= compliance_a <= c_high:
        raise LimitError(
            f"forming compliance {compliance_a:g} A is outside [{c_low:g}, {c_high:g}]"
        )
    ramp = np.arange(v_start_v + v_step_v, v_stop_v + v_step_v / 2, v_step_v)
    applied, currents = [], []
    for v in ramp:
        i = float(station.sweep_a(row, col, np.array([v]), compliance_a)[0])
        applied.append(v)
        currents.append(i)
        limiting = abs(i) >= COMPLIANCE_FRACTION * compliance_a
        jumped = len(currents) > 1 and abs(i) >= FORMING_JUMP_FACTOR * max(abs(currents[-2]), 1e-12)
        if limiting or jumped:
            return FormingResult(np.array(applied), np.array(currents), compliance_a, True, v)
    return FormingResult(np.array(applied), np.array(currents), compliance_a, False, float("nan"))


def cycle(
    station: Station,
    row: int,
    col: int,
    *,
    n_cycles: int,
    v_set_v: float,
    v_reset_v: float,
    width_s: float,
    n_reads: int = 1,
) -> CyclingResult:
    """`n_cycles` of (SET pulse, read, RESET pulse, read); `v_reset_v` is a magnitude."""
    if n_cycles < 1 or v_set_v <= 0 or v_reset_v <= 0:
        raise ValueError("need n_cycles >= 1 and positive SET and RESET amplitudes")
    limits = station.config.limits
    if v_set_v > limits.v_set_max_v or v_reset_v > limits.v_reset_max_v:
        raise LimitError(
            f"cycling pulses {v_set_v} / -{v_reset_v} V exceed the bench limits "
            f"{limits.v_set_max_v} / -{limits.v_reset_max_v} V; nothing was sent"
        )
    v_read = limits.v_read_v
    g_set, g_reset = np.empty(n_cycles), np.empty(n_cycles)
    for k in range(n_cycles):
        station.pulse(row, col, v_set_v, width_s)
        g_set[k] = station.read_current_a(row, col, v_read, n_reads).mean() / v_read * 1e6
        station.pulse(row, col, -v_reset_v, width_s)
        g_reset[k] = station.read_current_a(row, col, v_read, n_reads).mean() / v_read * 1e6
    return CyclingResult(g_set, g_reset, v_set_v, v_reset_v, width_s)
