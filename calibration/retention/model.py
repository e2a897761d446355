"""`RetentionModel`: the conductance distribution at time t after programming, per level.

Family A of shared/reference/device_models.md (sections 2.2 and 6.6), with its heavy-tailed,
Arrhenius and stuck-cell extensions:

    L(t)      = ln(1 + t_eff / tau(G0))            t_eff = t * AF(T) (Arrhenius, DM2.2)
    mean(t)   = G0 + a(G0) * L(t)                  uS
    var(t)    = s0(G0)^2 + k(G0) * L(t)            uS^2

`G0` is the conductance at t = 0 (the read right after programming, or a target when the caller
has nothing better). The parameters are tables on a grid of level conductances (`g_grid_us`),
interpolated between levels (monotone cubic, PCHIP, or linear) and held constant beyond the ends.

`moments` describes the working cells; a fraction `p_stuck` of cells does not relax at all and
sits at a value drawn from `stuck_values_us` (a kernel density of the observed stuck values);
`sample` includes them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy.interpolate import PchipInterpolator

BOLTZMANN_EV_PER_K = 8.617333262e-5
"""k_B in eV/K (CODATA 2018)."""

FORMAT = "reram-hil-retention-model"
FORMAT_VERSION = "1.0"

TAILS = ("gaussian", "nlnv", "student")
"""Shapes of the relaxation increment (DM2.2 family D): normal; normal with a lognormal
per-cell variance multiplier s ~ LogNormal(-sigma_s^2/2, sigma_s) (Levy `nlnv.py`); Student-t
with `tail_param` degrees of freedom, scaled to unit variance."""

INTERPOLATIONS = ("pchip", "linear")

STUCK_QUANTILES = 33
"""Quantiles kept to describe the stuck-cell distribution."""

LUT_POINTS = 8193
"""Resolution of the resampled tables (5 nS steps over a 40 uS grid)."""


@dataclass(frozen=True)
class RetentionModel:
    """A state-dependent log-time retention model. Immutable; derive variants with `replace()`.

    All tables share the grid `g_grid_us` (level conductances G0 in uS, increasing).
    """

    g_grid_us: tuple[float, ...]
    a_us: tuple[float, ...]
    """Mean drift per unit of L(t), uS."""
    k_us2: tuple[float, ...]
    """Variance growth per unit of L(t), uS^2."""
    tau_s: tuple[float, ...]
    """Relaxation onset time tau per level, s (all equal for a global tau)."""
    s0_us: tuple[float, ...]
    """Time-independent spread (read noise and the spread of the t = 0 reference), uS."""
    tail: str = "gaussian"
    tail_param: float = 0.0
    """sigma_s for "nlnv" (log-sd of the variance multiplier), degrees of freedom for "student"."""
    activation_energy_ev: float = 1.2
    """Arrhenius E_a (default 1.2 eV: Levy master model, DM2.2)."""
    t_ref_k: float = 300.0
    """Temperature at which the tables hold (27 C, as the device model's T_ref)."""
    p_stuck: float = 0.0
    """Fraction of cells that do not relax (stuck/failed, DM2.2 family F)."""
    stuck_values_us: tuple[float, ...] = ()
    """Quantiles of the stuck cells' conductance (sampled as a kernel density)."""
    stuck_bandwidth_us: float = 0.0
    interpolation: str = "pchip"
    provenance: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Free-form: source, estimator, confidence intervals, goodness of fit (not used to predict)."""

    def __post_init__(self) -> None:
        n = len(self.g_grid_us)
        tables = (self.a_us, self.k_us2, self.tau_s, self.s0_us)
        if n < 1 or any(len(t) != n for t in tables):
            raise ValueError("g_grid_us, a_us, k_us2, tau_s and s0_us need one equal length >= 1")
        if any(b <= a for a, b in zip(self.g_grid_us, self.g_grid_us[1:], strict=False)):
            raise ValueError("g_grid_us must increase strictly")
        if min(self.k_us2) < 0 or min(self.s0_us) < 0:
            raise ValueError("k_us2 and s0_us must be non-negative")
        if min(self.tau_s) <= 0:
            raise ValueError("tau_s must be positive")
        if self.tail not in TAILS:
            raise ValueError(f"unknown tail {self.tail!r}; known: {list(TAILS)}")
        if self.tail == "nlnv" and self.tail_param < 0:
            raise ValueError("nlnv needs sigma_s >= 0")
        if self.tail == "student" and self.tail_param <= 2:
            raise ValueError("student needs more than 2 degrees of freedom (finite variance)")
        if self.interpolation not in INTERPOLATIONS:
            raise ValueError(f"unknown interpolation {self.interpolation!r}")
        if not 0.0 <= self.p_stuck <= 1.0:
            raise ValueError(f"p_stuck must be in [0, 1], got {self.p_stuck}")
        if self.p_stuck > 0 and not self.stuck_values_us:
            raise ValueError("p_stuck > 0 needs stuck_values_us")
        if self.t_ref_k <= 0:
            raise ValueError("t_ref_k must be positive")

    # --- evaluation ------------------------------------------------------------------------------

    def tables(self, g0_us: np.ndarray) -> dict[str, np.ndarray]:
        """a (uS), k (uS^2), tau (s) and s0 (uS) at conductances `g0_us`, interpolated."""
        g = np.asarray(g0_us, dtype=float)
        x0, inv_step, fine = self._fine_tables
        position = np.clip((g - x0) * inv_step, 0.0, LUT_POINTS - 1)
        missing = np.isnan(position)  # NaN in, NaN out (not an index of garbage)
        position = np.where(missing, 0.0, position)
        i = np.minimum(position.astype(np.intp), LUT_POINTS - 2)
        frac = np.where(missing, np.nan, position - i)
        out = {}
        for name, table in fine.items():
            out[name] = table[i] + (table[i + 1] - table[i]) * frac
        out["tau_s"] = np.exp(out.pop("log_tau_s"))
        return out

    @cached_property
    def _fine_tables(self) -> tuple[float, float, dict[str, np.ndarray]]:
        """The interpolated tables resampled on LUT_POINTS uniform points: a lookup is then index
        arithmetic (scipy's PCHIP evaluation costs ~0.1 s per million points and table)."""
        lo, hi = self.g_grid_us[0], self.g_grid_us[-1]
        fine = np.linspace(lo, hi if hi > lo else lo + 1.0, LUT_POINTS)
        tables = {
            "a_us": self._interp(fine, self.a_us),
            "k_us2": np.maximum(self._interp(fine, self.k_us2), 0.0),
            "log_tau_s": self._interp(fine, np.log(self.tau_s)),
            "s0_us": np.maximum(self._interp(fine, self.s0_us), 0.0),
        }
        return float(fine[0]), (LUT_POINTS - 1) / float(fine[-1] - fine[0]), tables

    def _interp(self, g: np.ndarray, values: tuple[float, ...] | np.ndarray) -> np.ndarray:
        grid = np.asarray(self.g_grid_us)
        values = np.asarray(values, dtype=float)
        if grid.size == 1:
            return np.full_like(g, values[0])
        if self.interpolation == "linear" or grid.size == 2:
            return np.interp(g, grid, values)
        return PchipInterpolator(grid, values, extrapolate=True)(g)

    def acceleration(self, temperature_k: float | np.ndarray | None = None) -> np.ndarray:
        """Arrhenius acceleration factor AF(T) relative to `t_ref_k` (1 at T_ref)."""
        if temperature_k is None:
            return np.asarray(1.0)
        t_k = np.asarray(temperature_k, dtype=float)
        exponent = self.activation_energy_ev / BOLTZMANN_EV_PER_K
        return np.exp(exponent * (1.0 / self.t_ref_k - 1.0 / t_k))

    def log_time(
        self, g0_us: np.ndarray, t_s: np.ndarray, temperature_k: float | None = None
    ) -> np.ndarray:
        """L(t) = ln(1 + t_eff / tau(G0)), broadcasting `g0_us` against `t_s` (s)."""
        tau = self.tables(g0_us)["tau_s"]
        t_eff = np.asarray(t_s, dtype=float) * self.acceleration(temperature_k)
        return np.log1p(t_eff / tau)

    def moments(
        self, g0_us: np.ndarray, t_s: np.ndarray, temperature_k: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation (uS) of G(t) for working cells that read `g0_us` at t = 0.

        `g0_us` (uS) and `t_s` (s since programming, at `temperature_k`, default T_ref) broadcast.
        The sd is that of the marginal distribution, whatever the tail shape.
        """
        g0 = np.asarray(g0_us, dtype=float)
        tab = self.tables(g0)
        t_eff = np.asarray(t_s, dtype=float) * self.acceleration(temperature_k)
        ell = np.log1p(t_eff / tab["tau_s"])
        mean = g0 + tab["a_us"] * ell
        sd = np.sqrt(tab["s0_us"] ** 2 + tab["k_us2"] * ell)
        return mean, sd

    def sample(
        self,
        g0_us: np.ndarray,
        t_s: np.ndarray,
        rng: np.random.Generator,
        temperature_k: float | None = None,
    ) -> np.ndarray:
        """One independent draw of G(t) in uS per broadcast element (stuck cells included).

        Draws are marginal: two calls at different times are not one cell's trajectory (SimChip
        driven by this model gives trajectories, see `to_device_params`).
        """
        g0 = np.asarray(g0_us, dtype=float)
        tab = self.tables(g0)
        t_eff = np.asarray(t_s, dtype=float) * self.acceleration(temperature_k)
        ell = np.log1p(t_eff / tab["tau_s"])
        mean = g0 + tab["a_us"] * ell
        shape = np.broadcast_shapes(mean.shape, np.shape(t_s))
        relax_var = np.broadcast_to(tab["k_us2"] * ell, shape)
        g = mean + tab["s0_us"] * rng.standard_normal(shape)
        g = g + np.sqrt(relax_var) * self.unit_relaxation(shape, rng)
        if self.p_stuck > 0:
            stuck = rng.random(shape) < self.p_stuck
            g = np.where(stuck, self.sample_stuck(shape, rng), g)
        return np.maximum(g, 0.0)

    def unit_relaxation(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Unit-variance draws of the relaxation increment's shape (`tail`)."""
        z = rng.standard_normal(shape)
        if self.tail == "nlnv":
            sigma = self.tail_param
            return z * np.sqrt(rng.lognormal(-(sigma**2) / 2, sigma, shape))
        if self.tail == "student":
            nu = self.tail_param
            return rng.standard_t(nu, shape) * np.sqrt((nu - 2) / nu)
        return z

    def sample_stuck(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Conductances of stuck cells (uS): the stored quantiles, smoothed by the bandwidth."""
        quantiles = np.asarray(self.stuck_values_us, dtype=float)
        u = rng.random(shape) * (quantiles.size - 1)
        g = np.interp(u, np.arange(quantiles.size), quantiles)
        return np.maximum(g + self.stuck_bandwidth_us * rng.standard_normal(shape), 0.0)

    def excess_kurtosis(self) -> float:
        """Excess kurtosis of the relaxation increment implied by `tail` (0 for Gaussian)."""
        if self.tail == "nlnv":
            return 3.0 * (np.exp(self.tail_param**2) - 1.0)
        if self.tail == "student":
            nu = self.tail_param
            return 6.0 / (nu - 4.0) if nu > 4 else float("inf")
        return 0.0

    def device_params(self, base: Any) -> Any:
        """`base` (hil DeviceParams) relaxing as this model: the hook of `SimChip(retention=)`."""
        from calibration.retention.device import to_device_params

        return to_device_params(self, base)

    # --- construction and persistence ------------------------------------------------------------

    def replace(self, **changes: Any) -> RetentionModel:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = [float(v) for v in value]
        return {"format": FORMAT, "format_version": FORMAT_VERSION, **data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RetentionModel:
        """Inverse of `to_dict`; refuses other formats, major versions and unknown keys."""
        data = dict(data)
        fmt, version = data.pop("format", None), str(data.pop("format_version", ""))
        if fmt != FORMAT or version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise ValueError(f"not a {FORMAT} {FORMAT_VERSION.split('.')[0]}.x model")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown retention-model fields: {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, default=_json_default)

    @classmethod
    def from_json(cls, text: str) -> RetentionModel:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON, or into an HDF5 file's `/retention_model` attribute (.h5)."""
        path = Path(path)
        if path.suffix in (".h5", ".hdf5"):
            import h5py

            with h5py.File(path, "a") as f:
                f.attrs[HDF5_ATTRIBUTE] = self.to_json()
        else:
            path.write_text(self.to_json() + "\n")
        return path


HDF5_ATTRIBUTE = "retention_model"
"""Root attribute of a measurement file that holds a fitted model (JSON)."""


def load_model(path: str | Path) -> RetentionModel:
    """A model saved by `RetentionModel.save` (JSON file, or HDF5 file with a fitted model)."""
    path = Path(path)
    if path.suffix in (".h5", ".hdf5"):
        import h5py

        with h5py.File(path, "r") as f:
            if HDF5_ATTRIBUTE not in f.attrs:
                raise ValueError(f"{path} holds no fitted retention model (run `hil fit` on it)")
            return RetentionModel.from_json(f.attrs[HDF5_ATTRIBUTE])
    return RetentionModel.from_json(path.read_text())


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
