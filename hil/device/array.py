"""A vectorised numpy model of a ReRAM cell array (shared/reference/device_models.md section 6).

State lives in flat per-cell arrays (float32 except the write clock), indexed by
`cell = row * cols + col`. Operations take an index (`slice(None)` for the whole array, or an
integer array of cells) so that a whole-array read or pulse works on views without copies.

Time: the array keeps an *effective* clock that runs faster when hot (Arrhenius), and every cell
remembers the effective time of its last write. Relaxation since then follows a persistent
Brownian motion in L(t) = ln(1 + t / tau): each evaluation samples only the increment since the
cell's previous evaluation, so reading at t1 and then t2 follows one path, not two draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from hil.device.params import DeviceParams

BOLTZMANN_EV_PER_K = 8.617333262e-5
"""k_B in eV/K (CODATA 2018)."""

Index = slice | np.ndarray
ALL: slice = slice(None)

F32 = np.float32


class RelaxationSource(Protocol):
    """Something that sets the relaxation of the device model, e.g. a fitted retention model
    (calibration.retention.RetentionModel)."""

    def device_params(self, base: DeviceParams) -> DeviceParams:
        """`base` with its relaxation parameters replaced."""
        ...


@dataclass
class CellParams:
    """Device-to-device parameters, sampled once per cell (DM6.1)."""

    g_max_us: np.ndarray
    v_set_threshold_v: np.ndarray
    v_reset_threshold_v: np.ndarray
    step_multiplier: np.ndarray
    relax_multiplier: np.ndarray
    stuck: np.ndarray
    """bool: the cell never changes."""
    stuck_g_us: np.ndarray
    """Conductance of stuck cells (ignored elsewhere)."""


class CellArray:
    """rows x cols ReRAM cells with persistent relaxation state. Seeded and reproducible."""

    def __init__(
        self,
        rows: int,
        cols: int,
        params: DeviceParams | None = None,
        *,
        seed: int = 0,
        initial_g_us: float | None = None,
        retention: RelaxationSource | None = None,
    ):
        """`retention`, if given, replaces the relaxation parameters of `params` (its
        `device_params`), so that a fitted retention model drives the array."""
        if rows <= 0 or cols <= 0:
            raise ValueError(f"array geometry must be positive, got {rows} x {cols}")
        self.rows, self.cols = rows, cols
        self.params = params or DeviceParams()
        if retention is not None:
            self.params = retention.device_params(self.params)
        self.rng = np.random.default_rng(seed)
        self.cells = sample_cell_params(self.params, rows * cols, self.rng)
        p, n = self.params, rows * cols
        start = p.g_min_us if initial_g_us is None else initial_g_us
        self.g_prog_us = np.full(n, start, dtype=F32)
        """Conductance at the end of each cell's last write (G_p)."""
        self.t_write_eff_s = np.zeros(n, dtype=np.float64)
        self.brownian = np.zeros(n, dtype=F32)
        """B_i(L): accumulated standard Brownian motion in relaxation-clock units."""
        self.l_sampled = np.zeros(n, dtype=F32)
        """L(t) at which `brownian` was last sampled."""
        self.drift_a_us = np.zeros(n, dtype=F32)
        self.diffusion_us = np.zeros(n, dtype=F32)
        grid_us = np.asarray(p.relax_g_grid_us) * (p.g_max_us / 40.0)  # DM6.3: scale to window
        self._relaxation_lut = UniformLut(grid_us, p.relax_a_us, p.relax_k_us2)
        self._relaxation_coefficients(ALL)
        self.now_s = 0.0
        """Virtual wall-clock time since creation."""
        self.now_eff_s = 0.0
        """Effective (temperature-accelerated) time since creation."""
        self.temperature_k = self.params.t_ref_k

    # --- persistence ----------------------------------------------------------------------------

    _DYNAMIC = ("g_prog_us", "t_write_eff_s", "brownian", "l_sampled", "drift_a_us", "diffusion_us")

    def state(self) -> dict[str, Any]:
        """Everything needed to continue this array later (arrays, clocks, the RNG position)."""
        state: dict[str, Any] = {f"cells.{k}": v for k, v in vars(self.cells).items()}
        state.update({name: getattr(self, name) for name in self._DYNAMIC})
        state["clock"] = np.array([self.now_s, self.now_eff_s, self.temperature_k])
        state["geometry"] = np.array([self.rows, self.cols])
        state["params"] = self.params.to_json()
        state["rng"] = json.dumps(self.rng.bit_generator.state)
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CellArray:
        """The array `state()` described, continuing exactly where it stopped."""
        rows, cols = (int(x) for x in state["geometry"])
        array = cls.__new__(cls)
        array.rows, array.cols = rows, cols
        array.params = DeviceParams.from_json(state["params"])
        array.rng = np.random.default_rng()
        array.rng.bit_generator.state = json.loads(state["rng"])
        array.cells = CellParams(
            **{
                k.removeprefix("cells."): np.array(v)
                for k, v in state.items()
                if k.startswith("cells.")
            }
        )
        for name in cls._DYNAMIC:
            setattr(array, name, np.array(state[name]))
        array.now_s, array.now_eff_s, array.temperature_k = (float(x) for x in state["clock"])
        grid_us = np.asarray(array.params.relax_g_grid_us) * (array.params.g_max_us / 40.0)
        array._relaxation_lut = UniformLut(
            grid_us, array.params.relax_a_us, array.params.relax_k_us2
        )
        return array

    # --- geometry -----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def index(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Flat cell indices of (row, col) pairs; raises IndexError outside the array."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        if rows.size and (rows.min() < 0 or rows.max() >= self.rows):
            raise IndexError(f"row outside 0..{self.rows - 1}")
        if cols.size and (cols.min() < 0 or cols.max() >= self.cols):
            raise IndexError(f"column outside 0..{self.cols - 1}")
        return (rows * self.cols + cols).astype(np.intp)

    def state_bytes_per_cell(self) -> float:
        """Bytes of persistent state per cell (static parameters plus dynamic state)."""
        arrays = [*vars(self.cells).values()]
        arrays += [self.g_prog_us, self.t_write_eff_s, self.brownian, self.l_sampled]
        arrays += [self.drift_a_us, self.diffusion_us]
        return sum(a.nbytes for a in arrays) / self.size

    # --- time ---------------------------------------------------------------------------------

    def advance(self, dt_s: float, temperature_k: float | None = None) -> None:
        """Let `dt_s` seconds pass at `temperature_k` (default: the current temperature)."""
        if dt_s < 0:
            raise ValueError(f"time cannot run backwards (dt_s = {dt_s})")
        if temperature_k is not None:
            self.set_temperature(temperature_k)
        self.now_s += dt_s
        self.now_eff_s += dt_s * arrhenius_factor(self.params, self.temperature_k)

    def set_temperature(self, temperature_k: float) -> None:
        if not 0 < temperature_k < 1000:
            raise ValueError(f"temperature {temperature_k} K is outside (0, 1000) K")
        self.temperature_k = float(temperature_k)

    # --- the true conductance -------------------------------------------------------------------

    def conductance_us(self, idx: Index = ALL) -> np.ndarray:
        """True conductance now (no read noise), advancing each cell's relaxation path."""
        p = self.params
        elapsed = self.now_eff_s - self.t_write_eff_s[idx]
        l_now = np.log1p((elapsed / p.relax_tau_s).astype(F32))
        d_l = np.maximum(l_now - self.l_sampled[idx], 0.0)
        step = np.sqrt(d_l) * self.rng.standard_normal(d_l.shape, dtype=F32)
        self.brownian[idx] += step
        self.l_sampled[idx] = l_now
        g = self.g_prog_us[idx] + self.drift_a_us[idx] * l_now
        g += self.diffusion_us[idx] * self.brownian[idx]
        stuck = self.cells.stuck[idx]
        g = np.where(stuck, self.cells.stuck_g_us[idx], g)
        return np.maximum(g, 0.0, out=g)

    def read(self, idx: Index = ALL, n_reads: int = 1) -> np.ndarray:
        """Noisy read, averaged over `n_reads` (averaging shrinks read noise, not relaxation)."""
        if n_reads < 1:
            raise ValueError(f"n_reads must be at least 1, got {n_reads}")
        g = self.conductance_us(idx)
        p = self.params
        sigma = np.sqrt(p.read_noise_us**2 + (p.read_noise_rel * g) ** 2) / np.sqrt(n_reads)
        g += sigma * self.rng.standard_normal(g.shape, dtype=F32)
        return np.maximum(g, 0.0, out=g)

    # --- programming ----------------------------------------------------------------------------

    def pulse(self, idx: Index, v: np.ndarray | float, width_s: np.ndarray | float) -> None:
        """One pulse per indexed cell: v > 0 SETs, v < 0 RESETs (cell voltage in volts).

        Below threshold nothing happens (so reads never disturb); above it the step follows
        DM6.2. A cell that changes is re-programmed: its relaxation clock restarts.
        """
        p, c = self.params, self.cells
        g_max = c.g_max_us[idx]
        v = np.broadcast_to(np.asarray(v, dtype=F32), g_max.shape)
        is_set = v > 0
        threshold = np.where(is_set, c.v_set_threshold_v[idx], c.v_reset_threshold_v[idx])
        u = (np.abs(v) - threshold) / F32(p.v_scale_v)
        moves = u > 0
        if not moves.any():
            return
        # Whole-batch arithmetic with a mask beats gathering the movers: most pulses move most
        # cells. Stuck cells may "move" here; conductance_us() keeps reporting their stuck value.
        g_min = F32(p.g_min_us)
        state = (self.conductance_us(idx) - g_min) / (g_max - g_min)
        np.clip(state, 0.0, 1.0, out=state)
        new_state = self._stepped(idx, state, np.maximum(u, 0.0), is_set, moves, width_s)
        self.g_prog_us[idx] = np.where(
            moves, g_min + new_state * (g_max - g_min), self.g_prog_us[idx]
        )
        self.t_write_eff_s[idx] = np.where(moves, self.now_eff_s, self.t_write_eff_s[idx])
        self.brownian[idx] = np.where(moves, F32(0.0), self.brownian[idx])
        self.l_sampled[idx] = np.where(moves, F32(0.0), self.l_sampled[idx])
        self._relaxation_coefficients(idx)

    def _stepped(
        self,
        idx: Index,
        state: np.ndarray,
        u: np.ndarray,
        is_set: np.ndarray,
        moves: np.ndarray,
        width_s: np.ndarray | float,
    ) -> np.ndarray:
        """The normalised state after one pulse of overdrive `u` >= 0 (DM6.2)."""
        p, rng = self.params, self.rng
        noise = np.maximum(1.0 + p.sigma_c2c * rng.standard_normal(u.shape, dtype=F32), 0.0)
        drive = self.cells.step_multiplier[idx] * np.expm1(u) * noise
        drive *= (np.asarray(width_s, dtype=F32) / F32(1e-6)) ** F32(p.width_exponent)
        window = np.where(
            is_set,
            p.alpha_set * (1.0 - state) ** p.gamma_set,
            -p.alpha_reset * state**p.gamma_reset,
        )
        write_noise = p.sigma_write_g * rng.standard_normal(u.shape, dtype=F32)
        new_state = state + drive * window + np.where(moves, write_noise, F32(0.0))
        if p.abrupt_set:
            lowest = np.flatnonzero(is_set & moves & (state < p.abrupt_g_below))
            chance = p.abrupt_probability * -np.expm1(-u[lowest])
            jump = lowest[rng.random(lowest.size, dtype=F32) < chance]
            new_state[jump] = rng.uniform(0.3, 1.0, jump.size)
        return np.clip(new_state, 0.0, 1.0, out=new_state)

    def _relaxation_coefficients(self, idx: Index) -> None:
        """Cache a(G_p) and sqrt(s k(G_p)) for cells whose G_p changed."""
        drift_a_us, k_us2 = self._relaxation_lut(self.g_prog_us[idx])
        self.drift_a_us[idx] = drift_a_us
        self.diffusion_us[idx] = np.sqrt(self.cells.relax_multiplier[idx] * k_us2)

    # --- analog compute -------------------------------------------------------------------------

    def mvm(self, v_in: np.ndarray, row0: int, col0: int, n_pairs: int) -> np.ndarray:
        """Column-pair currents in uA (G+ minus G-) for row voltages `v_in` (..., n_rows), in V.

        Includes the optional sinh I-V non-linearity and per-device read noise; quantisation
        (DAC and ADC) belongs to the chip, not the cells.
        """
        v_in = np.asarray(v_in, dtype=F32)
        n_rows = v_in.shape[-1]
        rows = np.arange(row0, row0 + n_rows)
        cols = np.arange(col0, col0 + 2 * n_pairs)
        idx = self.index(rows[:, None], cols[None, :]).ravel()
        g = self.conductance_us(idx).reshape(n_rows, 2 * n_pairs)
        g_diff = g[:, 0::2] - g[:, 1::2]
        drive = iv_drive_v(v_in, self.params)
        current = drive @ g_diff
        p = self.params
        noise_var = (p.read_noise_us**2 + (p.read_noise_rel * g) ** 2).reshape(n_rows, n_pairs, 2)
        sigma = np.sqrt((drive**2) @ noise_var.sum(axis=2))
        return current + sigma * self.rng.standard_normal(current.shape, dtype=F32)


class UniformLut:
    """Piecewise-linear curves y_k(x) through (grid, values_k), clamped at the ends like np.interp.

    Resampled once onto a fine uniform grid so that a lookup is index arithmetic shared by all
    curves: np.interp's binary search costs about 50 ms per million cells and curve.
    """

    POINTS = 4097

    def __init__(self, grid: np.ndarray, *curves: tuple[float, ...]):
        self.x0 = F32(grid[0])
        self.inv_step = F32((self.POINTS - 1) / (float(grid[-1]) - float(grid[0])))
        fine = np.linspace(grid[0], grid[-1], self.POINTS)
        self.tables = [np.interp(fine, grid, curve).astype(F32) for curve in curves]
        self.slopes = [np.append(np.diff(t), t[-1:] * 0).astype(F32) for t in self.tables]

    def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        position = (x - self.x0) * self.inv_step
        np.clip(position, 0.0, self.POINTS - 1, out=position)
        i = position.astype(np.intp)
        position -= i
        return [t[i] + s[i] * position for t, s in zip(self.tables, self.slopes, strict=True)]


def iv_drive_v(v: np.ndarray, params: DeviceParams) -> np.ndarray:
    """Effective voltage so that I = G * drive: V itself, or V_r sinh(b V) / sinh(b V_r) (DM6.4)."""
    if not params.iv_nonlinear:
        return v
    b, v_r = params.iv_b_per_v, params.v_read_v
    return (v_r * np.sinh(b * v) / np.sinh(b * v_r)).astype(F32)


def arrhenius_factor(params: DeviceParams, temperature_k: float) -> float:
    """How much faster relaxation runs at `temperature_k` than at T_ref (DM6.3)."""
    exponent = params.activation_energy_ev / BOLTZMANN_EV_PER_K
    return float(np.exp(exponent * (1.0 / params.t_ref_k - 1.0 / temperature_k)))


def sample_cell_params(p: DeviceParams, n: int, rng: np.random.Generator) -> CellParams:
    """Device-to-device variability (DM6.1)."""
    stuck = rng.random(n) < p.p_stuck
    at_min = rng.random(n) < p.p_stuck_at_g_min
    g_max = p.g_max_us * rng.lognormal(0.0, p.g_max_sigma, n)
    stuck_g = np.where(at_min, p.g_min_us, rng.uniform(p.g_min_us, g_max))
    return CellParams(
        g_max_us=g_max.astype(F32),
        v_set_threshold_v=rng.normal(p.v_set_threshold_v, p.v_threshold_sigma_v, n).astype(F32),
        v_reset_threshold_v=rng.normal(p.v_reset_threshold_v, p.v_threshold_sigma_v, n).astype(F32),
        step_multiplier=rng.lognormal(0.0, p.step_sigma, n).astype(F32),
        relax_multiplier=rng.lognormal(-(p.relax_sigma**2) / 2, p.relax_sigma, n).astype(F32),
        stuck=stuck,
        stuck_g_us=stuck_g.astype(F32),
    )
