"""Every parameter of the simulated ReRAM cell, with its source, and named presets.

The model is the one recommended in shared/reference/device_models.md section 6 ("DM6" below),
grounded in NeuRRAM (Wan et al., Nature 608, 2022; code weierwan/Neurram_48core) and in the
Stanford relaxation measurements of Levy et al. (akashlevy/RRAM-Relaxation-Master-Model, tech C,
MIT licence; a copy of the minimal file is in shared/datasets/levy-rram-relaxation/).

Units are in the names: conductances in microsiemens (`_us`), voltages in volts (`_v`), times in
seconds (`_s`), temperatures in kelvin (`_k`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Relaxation look-up table of the Levy tech-C fit (DM6.3; dataset README "Reference numbers"),
# on a conductance grid in uS for a 40 uS window.
LEVY_C_G_GRID_US = (0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 36.0, 40.0)
LEVY_C_K_US2 = (0.08, 0.40, 0.72, 0.78, 0.96, 0.95, 0.86, 0.79, 0.70, 0.69, 0.72)
LEVY_C_A_US = (0.02, 0.02, -0.02, -0.06, -0.11, -0.12, -0.12, -0.13, -0.12, -0.13, -0.14)


@dataclass(frozen=True)
class DeviceParams:
    """All parameters of the cell-array model. Immutable; derive variants with `replace()`."""

    name: str = "levy-tech-c"

    # --- window and device-to-device variability, sampled once per cell (DM6.1) ---
    g_min_us: float = 1.0
    """HRS floor (NeuRRAM window 1-40 uS)."""
    g_max_us: float = 40.0
    """Nominal LRS ceiling; per cell G_max = g_max_us * LogNormal(0, g_max_sigma)."""
    g_max_sigma: float = 0.10
    v_set_threshold_v: float = 1.3
    v_reset_threshold_v: float = 1.3
    v_threshold_sigma_v: float = 0.10
    step_sigma: float = 0.5
    """Per-cell step-size multiplier m ~ LogNormal(0, step_sigma) (aihwkit presets: 0.3-0.8)."""
    relax_sigma: float = 0.9
    """Per-cell relaxation-variance multiplier s ~ LogNormal(-sigma^2/2, sigma), mean 1.

    DM6.1 suggests 0.7, but a normal scale mixture with 0.7 has excess kurtosis 3(e^0.49 - 1) =
    1.9, below the measured 3.6 (1e5 s) to 8.6 (1 s) of Levy tech C; 0.9 gives 3.7."""
    p_stuck: float = 0.005
    """Fraction of stuck cells (DM6.1)."""
    p_stuck_at_g_min: float = 0.5
    """Of the stuck cells, the fraction stuck at G_min; the rest are stuck at U(G_min, G_max)."""

    # --- pulse response (DM6.2) ---
    v_scale_v: float = 0.10
    """Overdrive scale V_s: u = (V - V_th) / V_s.

    Calibrated together with sigma_c2c, as DM6.2 asks, against NeuRRAM/RADAR ISPP statistics
    (median 10-15 pulses, mean about 1.3-2x the median, DM3.2). DM6.2's starting point (0.15 V,
    0.5) gives median 12 but mean 13.6 pulses, a lighter tail than measured; (0.10 V, 0.6) gives
    median 13, mean 16.7, p90 33 with the NeuRRAM ramp on uniform targets over 1-40 uS
    (tests/device/test_validation.py)."""
    alpha_set: float = 0.02
    alpha_reset: float = 0.015
    gamma_set: float = 1.0
    gamma_reset: float = 1.0
    width_exponent: float = 0.5
    """Step scales as (t_pw / 1 us) ** width_exponent."""
    sigma_c2c: float = 0.6
    """Multiplicative cycle-to-cycle noise of each step, (1 + sigma * xi) clipped at 0."""
    sigma_write_g: float = 0.002
    """Additive write noise in normalised-state units (about 0.08 uS in a 40 uS window)."""
    abrupt_set: bool = True
    abrupt_g_below: float = 0.05
    abrupt_probability: float = 0.1
    """P(abrupt SET) = abrupt_probability * (1 - exp(-u)) from g < abrupt_g_below, to U(0.3, 1)."""

    # --- relaxation after the last write (DM6.3) ---
    relax_g_grid_us: tuple[float, ...] = LEVY_C_G_GRID_US
    relax_k_us2: tuple[float, ...] = LEVY_C_K_US2
    """Variance growth k(G): Var[dG] = s * k(G_p) * L(t)."""
    relax_a_us: tuple[float, ...] = LEVY_C_A_US
    """Mean drift a(G): E[dG] = a(G_p) * L(t)."""
    relax_tau_s: float = 5e-3
    """L(t) = ln(1 + t / tau)."""
    activation_energy_ev: float = 1.2
    t_ref_k: float = 300.0
    """Arrhenius reference: t_eff = sum dt * exp(E_a / k_B * (1/T_ref - 1/T))."""

    # --- reads and MVM (DM6.4) ---
    read_noise_us: float = 0.05
    """Additive read noise sigma_r0."""
    read_noise_rel: float = 0.01
    """Proportional read noise q: sigma = sqrt(sigma_r0^2 + (q G)^2)."""
    v_read_v: float = 0.2
    iv_nonlinear: bool = False
    iv_b_per_v: float = 2.7
    """sinh I-V: I = G V_r sinh(b V) / sinh(b V_r) (DM6.4; b in 2-4 per volt)."""

    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Free-form provenance notes (stored with the parameters, ignored by the model)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.g_min_us < self.g_max_us:
            raise ValueError(f"need 0 <= g_min_us < g_max_us, got {self.g_min_us}, {self.g_max_us}")
        grids = (self.relax_g_grid_us, self.relax_k_us2, self.relax_a_us)
        if len({len(g) for g in grids}) != 1 or len(self.relax_g_grid_us) < 2:
            raise ValueError(
                "relax_g_grid_us, relax_k_us2 and relax_a_us need one equal length >= 2"
            )
        if any(
            b <= a for a, b in zip(self.relax_g_grid_us, self.relax_g_grid_us[1:], strict=False)
        ):
            raise ValueError("relax_g_grid_us must increase strictly")
        if min(self.relax_k_us2) < 0:
            raise ValueError("relax_k_us2 must be non-negative (it is a variance rate)")
        for name in ("relax_tau_s", "v_scale_v", "v_read_v", "t_ref_k"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("p_stuck", "p_stuck_at_g_min", "abrupt_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(
                    f"{name} must be a probability in [0, 1], got {getattr(self, name)}"
                )

    def replace(self, **changes: Any) -> DeviceParams:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceParams:
        """Inverse of to_dict; unknown keys are an error (a typo must not pass silently)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown device parameters: {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DeviceParams:
        return cls.from_dict(json.loads(text))

    def to_hdf5_attrs(self, attrs: Any, prefix: str = "device.") -> None:
        """Write every parameter as its own attribute (h5py `AttributeManager` or any mapping)."""
        for key, value in self.to_dict().items():
            attrs[prefix + key] = json.dumps(value) if key == "extra" else value

    @classmethod
    def from_hdf5_attrs(cls, attrs: Mapping[str, Any], prefix: str = "device.") -> DeviceParams:
        data: dict[str, Any] = {}
        for key, value in attrs.items():
            if not key.startswith(prefix):
                continue
            name = key[len(prefix) :]
            if name == "extra":
                data[name] = json.loads(value)
            else:  # numpy scalars and arrays, as h5py returns them, back to Python values
                data[name] = value.tolist() if hasattr(value, "tolist") else value
        return cls.from_dict(data)


def levy_tech_c() -> DeviceParams:
    """The default: DM6 with the Levy tech-C relaxation table (HfOx 1T1R, 40 uS window)."""
    return DeviceParams()


def cmo_optimistic() -> DeviceParams:
    """aihwkit's CMO-HfOx law (Falcone et al., arXiv 2502.04524) in this model's family.

    aihwkit gives sigma_relax(t) = 0.042 ln(t) + 0.41 uS (G-independent) and a mean drift of
    -0.089 uS per e-fold of time (DM1.5). Matching sigma at 1 s (0.41 uS) and 1 day (0.89 uS) with
    Var = k ln(1 + t/tau) gives k = 0.055 uS^2 and tau = 48 ms.
    """
    n = len(LEVY_C_G_GRID_US)
    return DeviceParams(
        name="cmo-optimistic",
        relax_k_us2=(0.055,) * n,
        relax_a_us=(-0.089,) * n,
        relax_tau_s=0.048,
    )


PRESETS = {"levy-tech-c": levy_tech_c, "cmo-optimistic": cmo_optimistic}


def preset(name: str) -> DeviceParams:
    """A named preset; raises ValueError listing the known names."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise ValueError(f"unknown device preset {name!r}; known: {sorted(PRESETS)}") from None
