"""The `Chip` interface every higher layer uses, whatever answers: simulator, RTL or real board.

Conventions (one for all backends): conductances in microsiemens (`g_us`), voltages in volts
(`v`, signed for pulses: > 0 SETs, < 0 RESETs), pulse widths in seconds (`width_s`), currents in
microamperes (`i_ua`, so that uS x V = uA), times in seconds (`t_s`, `dt_s`), temperatures in
kelvin (`temperature_k`).

The base class checks addresses and safety limits before anything reaches a backend, so every
backend enforces the same limits and a refused request never touches the array.
"""

from __future__ import annotations

import enum
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType

import numpy as np

from firmware_interface.protocol import (
    AMPLITUDE,
    CONDUCTANCE,
    CURRENT,
    REFERENCE_CHIP,
    VERSION_MAJOR,
    VERSION_MINOR,
    WIDTH,
    Capability,
    CellOutcome,
    InfoResponse,
)
from hil.device.write_verify import IsppPolicy
from hil.errors import AddressError, LimitError, UnsupportedOperation


class Operation(enum.Enum):
    """Operations a chip may support."""

    READ = "read"
    PULSE = "pulse"
    PROGRAM = "program"
    MVM = "mvm"
    ADVANCE_TIME = "advance_time"
    SET_TEMPERATURE = "set_temperature"
    FAULT_INJECT = "fault_inject"


_OPTIONAL_BY_CAPABILITY = {
    Capability.PROGRAM: (Operation.PROGRAM,),
    Capability.MVM: (Operation.MVM,),
    Capability.ADVANCE_TIME: (Operation.ADVANCE_TIME, Operation.SET_TEMPERATURE),
    Capability.FAULT_INJECT: (Operation.FAULT_INJECT,),
}


@dataclass(frozen=True)
class ChipLimits:
    """Safety limits and converter ranges of a chip."""

    v_set_max_v: float
    v_reset_max_v: float
    v_step_v: float
    """DAC step: pulse amplitudes are rounded to multiples of it."""
    width_min_s: float
    width_max_s: float
    adc_bits: int
    g_full_scale_us: float
    mvm_input_bits: int
    mvm_adc_bits: int
    i_full_scale_ua: float
    v_read_max_v: float = 0.5
    """Largest read or MVM input voltage (READ_V register maximum)."""

    @classmethod
    def from_info(cls, info: InfoResponse) -> ChipLimits:
        """Limits from an INFO response (the spec's units do the conversion)."""
        return cls(
            v_set_max_v=AMPLITUDE.from_code(info.max_set_amplitude),
            v_reset_max_v=AMPLITUDE.from_code(info.max_reset_amplitude),
            v_step_v=AMPLITUDE.from_code(info.dac_step),
            width_min_s=WIDTH.from_code(info.min_width),
            width_max_s=WIDTH.from_code(info.max_width),
            adc_bits=info.adc_bits,
            g_full_scale_us=CONDUCTANCE.from_code(info.adc_full_scale),
            mvm_input_bits=info.mvm_input_bits,
            mvm_adc_bits=info.mvm_adc_bits,
            i_full_scale_ua=CURRENT.from_code(info.mvm_full_scale) * 1e6,
        )

    @property
    def g_lsb_us(self) -> float:
        return self.g_full_scale_us / (2**self.adc_bits - 1)


@dataclass(frozen=True)
class ChipCapabilities:
    """What a chip is and can do."""

    chip_id: str
    backend: str
    rows: int
    cols: int
    """Device columns; differential pairs are columns (2j, 2j + 1)."""
    limits: ChipLimits
    operations: frozenset[Operation]
    virtual_time: bool

    @classmethod
    def from_info(cls, info: InfoResponse, backend: str) -> ChipCapabilities:
        operations = {Operation.READ, Operation.PULSE}
        for flag, ops in _OPTIONAL_BY_CAPABILITY.items():
            if info.capabilities & flag:
                operations.update(ops)
        return cls(
            chip_id=f"{info.chip_id:08X}",
            backend=backend,
            rows=info.rows,
            cols=info.cols,
            limits=ChipLimits.from_info(info),
            operations=frozenset(operations),
            virtual_time=bool(info.capabilities & Capability.ADVANCE_TIME),
        )

    def supports(self, operation: Operation) -> bool:
        return operation in self.operations

    def to_info(self, *, chip_id: int, capabilities: int) -> InfoResponse:
        """This chip as an INFO response (inverse of `from_info`, in the spec's units)."""
        limits = self.limits
        return InfoResponse(
            protocol_major=VERSION_MAJOR,
            protocol_minor=VERSION_MINOR,
            chip_id=chip_id,
            rows=self.rows,
            cols=self.cols,
            capabilities=Capability(capabilities),
            max_set_amplitude=AMPLITUDE.to_code(limits.v_set_max_v),
            max_reset_amplitude=AMPLITUDE.to_code(limits.v_reset_max_v),
            dac_step=AMPLITUDE.to_code(limits.v_step_v),
            min_width=WIDTH.to_code(limits.width_min_s),
            max_width=WIDTH.to_code(limits.width_max_s),
            adc_bits=limits.adc_bits,
            adc_full_scale=CONDUCTANCE.to_code(limits.g_full_scale_us),
            mvm_input_bits=limits.mvm_input_bits,
            mvm_adc_bits=limits.mvm_adc_bits,
            mvm_full_scale=CURRENT.to_code(limits.i_full_scale_ua * 1e-6),
        )


REFERENCE_LIMITS = ChipLimits.from_info(REFERENCE_CHIP)
"""Limits of the reference chip (firmware_interface/spec.toml [reference_chip])."""


@dataclass(frozen=True)
class ProgramOutcome:
    """Per-cell result of an on-chip write-verify batch, flattened in request order."""

    rows: np.ndarray
    cols: np.ndarray
    target_us: np.ndarray
    g_us: np.ndarray
    """Last verify read."""
    pulses: np.ndarray
    outcome: np.ndarray
    """CellOutcome codes."""
    iterations: np.ndarray
    """Polarity iterations used per cell."""

    @property
    def success(self) -> np.ndarray:
        return self.outcome == CellOutcome.CONVERGED


class Chip(ABC):
    """A ReRAM array behind some backend. Use as a context manager to close it."""

    @abstractmethod
    def info(self) -> ChipCapabilities:
        """Geometry, limits and supported operations (cached by backends)."""

    # --- public operations: validate, then delegate ----------------------------------------------

    def read(
        self, rows: np.ndarray, cols: np.ndarray, *, n_reads: int = 1, n_discard: int = 0
    ) -> np.ndarray:
        """Conductance in uS of cells (rows[i], cols[i]); broadcasts; averages `n_reads` reads."""
        if n_reads < 1 or n_discard < 0:
            raise ValueError(f"need n_reads >= 1 and n_discard >= 0, got {n_reads}, {n_discard}")
        r, c = self._cells(rows, cols)
        return self._read(r.ravel(), c.ravel(), n_reads, n_discard).reshape(r.shape)

    def read_block(
        self,
        row: int = 0,
        col: int = 0,
        n_rows: int | None = None,
        n_cols: int | None = None,
        *,
        n_reads: int = 1,
        n_discard: int = 0,
    ) -> np.ndarray:
        """A rectangular block (default: the whole array) as an (n_rows, n_cols) array in uS."""
        info = self.info()
        n_rows = info.rows - row if n_rows is None else n_rows
        n_cols = info.cols - col if n_cols is None else n_cols
        rows, cols = np.meshgrid(
            np.arange(row, row + n_rows), np.arange(col, col + n_cols), indexing="ij"
        )
        return self.read(rows, cols, n_reads=n_reads, n_discard=n_discard)

    def pulse(
        self, rows: np.ndarray, cols: np.ndarray, v: np.ndarray | float, width_s: np.ndarray | float
    ) -> None:
        """One pulse per cell: `v` signed volts (> 0 SET, < 0 RESET), rounded to the DAC step."""
        r, c = self._cells(rows, cols)
        limits = self.info().limits
        v, width = _per_cell(v, r.shape), _per_cell(width_s, r.shape)
        _check_pulses(v, width, limits)
        v = np.round(v / limits.v_step_v) * limits.v_step_v
        self._pulse(r.ravel(), c.ravel(), v, width)

    def program(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        target_us: np.ndarray,
        tolerance_us: np.ndarray | float,
        policy: IsppPolicy | None = None,
    ) -> ProgramOutcome:
        """On-chip write-verify of a batch (Operation.PROGRAM) under `policy`."""
        self._require(Operation.PROGRAM)
        r, c = self._cells(rows, cols)
        target = np.broadcast_to(np.asarray(target_us, dtype=np.float64), r.shape).ravel()
        tolerance = np.broadcast_to(np.asarray(tolerance_us, dtype=np.float64), r.shape).ravel()
        r, c = r.ravel(), c.ravel()
        if not (np.all(np.isfinite(target)) and np.all(tolerance > 0)):
            raise ValueError("targets must be finite and tolerances positive")
        policy = policy or IsppPolicy()
        limits = self.info().limits
        set_top = max(policy.v_set_start_v, policy.v_set_stop_v)
        reset_top = max(policy.v_reset_start_v, policy.v_reset_stop_v)
        if set_top > limits.v_set_max_v or reset_top > limits.v_reset_max_v:
            raise LimitError(
                f"policy ramps reach {set_top} V SET / {reset_top} V RESET, "
                f"above the chip's limits {limits.v_set_max_v} / {limits.v_reset_max_v} V"
            )
        return self._program(r, c, target, tolerance, policy)

    def mvm(
        self, v_in: np.ndarray, row: int = 0, col: int = 0, n_pairs: int | None = None
    ) -> np.ndarray:
        """Currents in uA of column pairs for row voltages `v_in` (..., n_rows) in volts.

        Inputs up to +-`v_read_max_v` are accepted; the chip's input DAC spans +-READ_V (spec
        register, 0.2 V at reset), so larger ones saturate there.
        """
        self._require(Operation.MVM)
        info = self.info()
        v_in = np.asarray(v_in, dtype=np.float64)
        n_rows = v_in.shape[-1]
        n_pairs = (info.cols - col) // 2 if n_pairs is None else n_pairs
        if col % 2:
            raise AddressError(f"MVM column {col} must be even (pairs are columns 2j, 2j+1)")
        self._cells(np.array([row, row + n_rows - 1]), np.array([col, col + 2 * n_pairs - 1]))
        if not np.all(np.isfinite(v_in)) or np.abs(v_in).max(initial=0) > info.limits.v_read_max_v:
            raise LimitError(f"MVM inputs must be finite and within +-{info.limits.v_read_max_v} V")
        return self._mvm(v_in, row, col, n_pairs)

    def time_s(self) -> float:
        """The chip's clock in seconds: virtual time on simulators, else the host's monotonic
        clock (so time differences are meaningful on every backend)."""
        return time.monotonic()

    def advance_time(self, dt_s: float, temperature_k: float | None = None) -> float:
        """Advance virtual time (simulators); returns the chip's time in seconds."""
        self._require(Operation.ADVANCE_TIME)
        if not np.isfinite(dt_s) or dt_s < 0:
            raise ValueError(f"dt_s must be a finite non-negative number of seconds, got {dt_s}")
        return self._advance_time(float(dt_s), temperature_k)

    def set_temperature(self, temperature_k: float) -> None:
        """Set the simulated temperature in kelvin (simulators)."""
        self._require(Operation.SET_TEMPERATURE)
        if not 0 < temperature_k < 1000:
            raise ValueError(f"temperature {temperature_k} K is outside (0, 1000) K")
        self._set_temperature(float(temperature_k))

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release the backend (ports, instruments, simulator processes)."""

    def __enter__(self) -> Chip:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- backend hooks ---------------------------------------------------------------------------

    @abstractmethod
    def _read(self, rows: np.ndarray, cols: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        """Flat reads in uS."""

    @abstractmethod
    def _pulse(
        self, rows: np.ndarray, cols: np.ndarray, v: np.ndarray, width_s: np.ndarray
    ) -> None:
        """Flat pulses, already checked against the limits; `v` and `width_s` are flat arrays
        like `rows`, or 0-d arrays when one value applies to every cell."""

    def _program(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        target_us: np.ndarray,
        tolerance_us: np.ndarray,
        policy: IsppPolicy,
    ) -> ProgramOutcome:
        raise UnsupportedOperation(f"{type(self).__name__} has no on-chip PROGRAM")

    def _mvm(self, v_in: np.ndarray, row: int, col: int, n_pairs: int) -> np.ndarray:
        raise UnsupportedOperation(f"{type(self).__name__} has no MVM")

    def _advance_time(self, dt_s: float, temperature_k: float | None) -> float:
        raise UnsupportedOperation(f"{type(self).__name__} has real time only")

    def _set_temperature(self, temperature_k: float) -> None:
        raise UnsupportedOperation(f"{type(self).__name__} cannot set its temperature")

    # --- helpers ---------------------------------------------------------------------------------

    def _require(self, operation: Operation) -> None:
        info = self.info()
        if not info.supports(operation):
            raise UnsupportedOperation(
                f"the {info.backend} chip does not support {operation.value}; "
                f"it supports {sorted(op.value for op in info.operations)}"
            )

    def _cells(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        info = self.info()
        r, c = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        if r.size == 0:
            raise ValueError("no cells selected")
        if not (np.issubdtype(r.dtype, np.integer) and np.issubdtype(c.dtype, np.integer)):
            raise TypeError(f"rows and columns must be integers, got {r.dtype} and {c.dtype}")
        if r.min() < 0 or r.max() >= info.rows or c.min() < 0 or c.max() >= info.cols:
            raise AddressError(
                f"cells outside the {info.rows} x {info.cols} array "
                f"(rows {r.min()}..{r.max()}, columns {c.min()}..{c.max()})"
            )
        return r, c


def _per_cell(value: np.ndarray | float, shape: tuple[int, ...]) -> np.ndarray:
    """A 0-d array if one value serves all cells (no million-element copies), else flat."""
    array = np.asarray(value, dtype=np.float64)
    if array.size == 1:
        return array.reshape(())
    return np.broadcast_to(array, shape).ravel()


def _check_pulses(v: np.ndarray, width_s: np.ndarray, limits: ChipLimits) -> None:
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(width_s))):
        raise LimitError("pulse amplitudes and widths must be finite numbers")
    too_high = ((v > limits.v_set_max_v) | (-v > limits.v_reset_max_v)).sum()
    if too_high:
        raise LimitError(
            f"{too_high} pulse(s) exceed the amplitude limits (SET <= {limits.v_set_max_v} V, "
            f"RESET <= {limits.v_reset_max_v} V); nothing was applied"
        )
    bad_width = ((width_s < limits.width_min_s) | (width_s > limits.width_max_s)).sum()
    if bad_width:
        raise LimitError(
            f"{bad_width} pulse width(s) outside "
            f"[{limits.width_min_s:g}, {limits.width_max_s:g}] s; nothing was applied"
        )
