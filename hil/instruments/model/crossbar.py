"""The simulated crossbar behind the model bench: the device model, wired through a matrix.

Electrical model (documented in hil/instruments/README.md): every array line is either open
(floating) or closed to one matrix row (a bus) whose voltage its source sets. A cell with both
lines driven sees V_word - V_bit; a cell with a floating line sees nothing (no sneak paths: the
model behaves like a 1T1R or selector array). The current a source measures is the sum of the
currents of the cells it drives, I = G * drive(dV) with the device model's (optionally sinh)
I-V. DC measurements never switch a cell; pulses switch it through `CellArray.pulse`.

Optional forming ([model] v_form_v): cells start unformed at `g_unformed_us` and form (a
saturating SET) the first time a DC or pulse voltage reaches their forming voltage.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from hil.device.array import CellArray, iv_drive_v
from hil.device.params import preset
from hil.instruments.bench import BenchConfig
from hil.instruments.errors import BenchConfigError

VoltageFn = Callable[[], float | None]
"""A bus's present voltage, or None when its source is off (the bus floats)."""

DEFAULT_READ_TIME_S = 1e-3
"""Model time per DC measurement: an SMU aperture of 0.05 NPLC at 50 Hz is 1 ms."""
FORMING_SIGMA_V = 0.1
"""Device-to-device spread of the forming voltage (same as the SET threshold's, DM6.1)."""
FORMING_PULSE_V, FORMING_PULSE_WIDTH_S = 5.0, 1e-6
"""A SET far above threshold: it saturates the normalised state (DM6.2), i.e. LRS after forming."""

G_UNFORMED_US = 0.01
"""Conductance of a pristine (unformed) cell: an assumption, two decades below the model's HRS
floor g_min = 1 uS, so that forming shows as a jump of more than 10x (FORMING_JUMP_FACTOR)."""

_MODEL_KEYS = {"seed", "preset", "initial_g_us", "iv_nonlinear", "v_form_v", "g_unformed_us"}
_MODEL_KEYS |= {"read_time_s"}


class ModelCrossbar:
    """The device model of a bench's array, plus the matrix state and the bus voltages."""

    def __init__(self, config: BenchConfig):
        model = dict(config.model)
        unknown = set(model) - _MODEL_KEYS
        if unknown:
            raise BenchConfigError(f"{config.path}: unknown [model] keys {sorted(unknown)}")
        params = preset(str(model.get("preset", "levy-tech-c")))
        params = params.replace(iv_nonlinear=bool(model.get("iv_nonlinear", False)))
        seed = int(model.get("seed", 0))
        initial = model.get("initial_g_us")
        self.array = CellArray(
            config.rows,
            config.cols,
            params,
            seed=seed,
            initial_g_us=None if initial is None else float(initial),
        )
        self.read_time_s = float(model.get("read_time_s", DEFAULT_READ_TIME_S))
        n = config.rows * config.cols
        v_form = model.get("v_form_v")
        self.formed = np.ones(n, dtype=bool) if v_form is None else np.zeros(n, dtype=bool)
        rng = np.random.default_rng(seed + 1)
        self.v_form_v = rng.normal(float(v_form or 0.0), FORMING_SIGMA_V, n)
        self.g_unformed_us = float(model.get("g_unformed_us", G_UNFORMED_US))
        self.word_of = {line: i for i, line in enumerate(config.word_lines)}
        self.bit_of = {line: j for j, line in enumerate(config.bit_lines)}
        self.bus_voltage: dict[str, VoltageFn] = {config.buses["ground"]: lambda: 0.0}
        self.closed: frozenset[str] = frozenset()

    # --- wiring ---------------------------------------------------------------------------------

    def line_voltages(self, override: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Word- and bit-line voltages (NaN: floating) with the matrix as it is now."""
        rows = np.full(self.array.rows, np.nan)
        cols = np.full(self.array.cols, np.nan)
        for channel in self.closed:
            slot, bus, column = channel[0], channel[1], int(channel[2:])
            key = (int(slot), column)
            v = override[bus] if bus in override else self._bus(bus)
            if v is None:
                continue
            if key in self.word_of:
                rows[self.word_of[key]] = v
            elif key in self.bit_of:
                cols[self.bit_of[key]] = v
        return rows, cols

    def _bus(self, bus: str) -> float | None:
        source = self.bus_voltage.get(bus)
        return None if source is None else source()

    # --- physics --------------------------------------------------------------------------------

    def current_a(self, bus: str, v: float) -> float:
        """The DC current (A) a source on `bus` at `v` volts drives into the array."""
        rows, cols = self.line_voltages({bus: v})
        on_bus = self._on_bus(bus)
        dv = rows[:, None] - cols[None, :]
        dv = np.where(on_bus[0][:, None], dv, np.where(on_bus[1][None, :], -dv, np.nan))
        cells = np.flatnonzero(np.isfinite(dv) & (dv != 0))
        self.array.advance(self.read_time_s)
        if cells.size == 0:
            return 0.0
        dv_cells = dv.ravel()[cells]
        self._form(cells, dv_cells)
        g_us = np.where(
            self.formed[cells], self.array.read(cells).astype(np.float64), self.g_unformed_us
        )
        drive = iv_drive_v(dv_cells.astype(np.float32), self.array.params).astype(np.float64)
        return float(np.sum(g_us * drive) * 1e-6)

    def pulse(self, bus: str, v: float, width_s: float) -> None:
        """A pulse of `v` volts for `width_s` seconds from the source on `bus`."""
        rows, cols = self.line_voltages({bus: v})
        dv = (rows[:, None] - cols[None, :]).ravel()
        cells = np.flatnonzero(np.isfinite(dv) & (dv != 0))
        self.array.advance(width_s)
        if cells.size == 0:
            return
        self._form(cells, dv[cells])
        formed = cells[self.formed[cells]]
        if formed.size:
            self.array.pulse(formed, dv[formed].astype(np.float32), width_s)

    def _on_bus(self, bus: str) -> tuple[np.ndarray, np.ndarray]:
        rows = np.zeros(self.array.rows, dtype=bool)
        cols = np.zeros(self.array.cols, dtype=bool)
        for channel in self.closed:
            if channel[1] != bus:
                continue
            key = (int(channel[0]), int(channel[2:]))
            if key in self.word_of:
                rows[self.word_of[key]] = True
            elif key in self.bit_of:
                cols[self.bit_of[key]] = True
        return rows, cols

    def _form(self, cells: np.ndarray, dv: np.ndarray) -> None:
        forming = cells[~self.formed[cells] & (np.abs(dv) >= self.v_form_v[cells])]
        if forming.size:
            self.formed[forming] = True
            self.array.pulse(forming, FORMING_PULSE_V, FORMING_PULSE_WIDTH_S)
