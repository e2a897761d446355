"""The NeuRRAM-style incremental-pulse write-verify (ISPP), vectorised over cells.

This is the algorithm of the protocol's on-chip PROGRAM operation, with its policy registers
(firmware_interface/spec.toml) as defaults: per cell, a SET ramp while the verify read is below the
band and a RESET ramp while above it, each ramp starting at V_START and rising by V_STEP per pulse
up to V_STOP; a ramp ends when the cell crosses its target (the polarity flips and the next ramp
starts from V_START again). A cell whose ramp runs out of PULSES_PER_RAMP pulses without crossing
its target gives up, as in NeuRRAM (STUCK if it moved less than its tolerance during that ramp,
else NOT_CONVERGED); so does a cell that used up MAX_ITERATIONS polarity iterations.
Source: weierwan/Neurram_48core `program_array` (shared/reference/device_models.md section 3.1).

Each loop step pulses every unconverged cell in one call and verifies them in one read, so a
10,000-cell batch costs tens of numpy calls per step, not a Python loop per cell.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from firmware_interface.protocol import AMPLITUDE, REGISTERS, WIDTH, CellOutcome, Register


def _register_default(register: Register) -> float:
    spec = REGISTERS[register]
    return spec.unit.from_code(spec.reset) if spec.unit else float(spec.reset)


@dataclass(frozen=True)
class IsppPolicy:
    """Ramp and verify settings; the defaults are the protocol's register reset values."""

    v_set_start_v: float = field(default_factory=lambda: _register_default(Register.SET_V_START))
    v_set_stop_v: float = field(default_factory=lambda: _register_default(Register.SET_V_STOP))
    v_set_step_v: float = field(default_factory=lambda: _register_default(Register.SET_V_STEP))
    v_reset_start_v: float = field(
        default_factory=lambda: _register_default(Register.RESET_V_START)
    )
    v_reset_stop_v: float = field(default_factory=lambda: _register_default(Register.RESET_V_STOP))
    v_reset_step_v: float = field(default_factory=lambda: _register_default(Register.RESET_V_STEP))
    width_set_s: float = field(default_factory=lambda: _register_default(Register.SET_WIDTH))
    width_reset_s: float = field(default_factory=lambda: _register_default(Register.RESET_WIDTH))
    pulses_per_ramp: int = field(
        default_factory=lambda: int(_register_default(Register.PULSES_PER_RAMP))
    )
    max_iterations: int = field(
        default_factory=lambda: int(_register_default(Register.MAX_ITERATIONS))
    )
    """Polarity iterations: one iteration is a SET ramp plus a RESET ramp (2 ramps)."""
    verify_n_reads: int = field(
        default_factory=lambda: int(_register_default(Register.VERIFY_N_READS))
    )
    verify_n_discard: int = field(
        default_factory=lambda: int(_register_default(Register.VERIFY_N_DISCARD))
    )

    @classmethod
    def from_registers(cls, registers: dict[Register, int]) -> IsppPolicy:
        """The policy CONFIG registers describe (inverse of `registers`, in the spec's units)."""
        return cls(
            v_set_start_v=AMPLITUDE.from_code(registers[Register.SET_V_START]),
            v_set_stop_v=AMPLITUDE.from_code(registers[Register.SET_V_STOP]),
            v_set_step_v=AMPLITUDE.from_code(registers[Register.SET_V_STEP]),
            v_reset_start_v=AMPLITUDE.from_code(registers[Register.RESET_V_START]),
            v_reset_stop_v=AMPLITUDE.from_code(registers[Register.RESET_V_STOP]),
            v_reset_step_v=AMPLITUDE.from_code(registers[Register.RESET_V_STEP]),
            width_set_s=WIDTH.from_code(registers[Register.SET_WIDTH]),
            width_reset_s=WIDTH.from_code(registers[Register.RESET_WIDTH]),
            pulses_per_ramp=registers[Register.PULSES_PER_RAMP],
            max_iterations=registers[Register.MAX_ITERATIONS],
            verify_n_reads=registers[Register.VERIFY_N_READS],
            verify_n_discard=registers[Register.VERIFY_N_DISCARD],
        )

    def registers(self) -> dict[Register, int]:
        """The policy as CONFIG register codes (the one conversion is the spec's units)."""
        return {
            Register.SET_V_START: AMPLITUDE.to_code(self.v_set_start_v),
            Register.SET_V_STOP: AMPLITUDE.to_code(self.v_set_stop_v),
            Register.SET_V_STEP: AMPLITUDE.to_code(self.v_set_step_v),
            Register.RESET_V_START: AMPLITUDE.to_code(self.v_reset_start_v),
            Register.RESET_V_STOP: AMPLITUDE.to_code(self.v_reset_stop_v),
            Register.RESET_V_STEP: AMPLITUDE.to_code(self.v_reset_step_v),
            Register.SET_WIDTH: WIDTH.to_code(self.width_set_s),
            Register.RESET_WIDTH: WIDTH.to_code(self.width_reset_s),
            Register.PULSES_PER_RAMP: self.pulses_per_ramp,
            Register.MAX_ITERATIONS: self.max_iterations,
            Register.VERIFY_N_READS: self.verify_n_reads,
            Register.VERIFY_N_DISCARD: self.verify_n_discard,
        }


class _Ramp(enum.IntEnum):
    NONE = 0
    SET = 1
    RESET = -1


@dataclass
class IsppResult:
    """Per-cell outcome of a write-verify batch (arrays in the order of the request)."""

    g_us: np.ndarray
    """Last verify read."""
    pulses: np.ndarray
    outcome: np.ndarray
    """CellOutcome codes."""
    iterations: np.ndarray
    """Polarity iterations used: ramps that applied a pulse / 2, rounded up (spec ProgramResult)."""

    @property
    def success(self) -> np.ndarray:
        return self.outcome == CellOutcome.CONVERGED


ReadFn = Callable[[np.ndarray, int, int], np.ndarray]
"""(cells, n_reads, n_discard) -> conductance in uS."""
PulseFn = Callable[[np.ndarray, np.ndarray, np.ndarray], None]
"""(cells, signed volts, widths in s) -> None."""


def ispp_program(
    read: ReadFn,
    pulse: PulseFn,
    cells: np.ndarray,
    target_us: np.ndarray,
    tolerance_us: np.ndarray | float,
    policy: IsppPolicy | None = None,
) -> IsppResult:
    """Write-verify `cells` to `target_us` +- `tolerance_us` through `read` and `pulse`."""
    policy = policy or IsppPolicy()
    cells = np.asarray(cells)
    n = cells.size
    target = np.asarray(target_us, dtype=np.float32)
    tolerance = np.broadcast_to(np.asarray(tolerance_us, dtype=np.float32), (n,))
    pulses = np.zeros(n, dtype=np.int32)
    outcome = np.full(n, CellOutcome.NOT_CONVERGED, dtype=np.uint8)
    ramp = np.full(n, _Ramp.NONE, dtype=np.int8)
    ramp_pulses = np.zeros(n, dtype=np.int32)
    ramps = np.zeros(n, dtype=np.int32)
    g_ramp_start = np.zeros(n, dtype=np.float32)
    amplitude = np.zeros(n, dtype=np.float32)
    g = read(cells, policy.verify_n_reads, policy.verify_n_discard).astype(np.float32)
    active = np.arange(n)
    max_ramps = 2 * policy.max_iterations
    while active.size:
        error = g[active] - target[active]
        inside = np.abs(error) <= tolerance[active]
        outcome[active[inside]] = CellOutcome.CONVERGED
        want = np.where(error < 0, _Ramp.SET, _Ramp.RESET).astype(np.int8)
        exhausted = ~inside & (want == ramp[active])
        exhausted &= ramp_pulses[active] >= policy.pulses_per_ramp
        moved = np.abs(g[active] - g_ramp_start[active]) >= tolerance[active]
        outcome[active[exhausted & ~moved]] = CellOutcome.STUCK
        new_ramp = ~inside & ~exhausted & (want != ramp[active])
        starting = active[new_ramp]
        ramps[starting] += 1
        ramp[starting] = want[new_ramp]
        ramp_pulses[starting] = 0
        g_ramp_start[starting] = g[starting]
        is_set = ramp[starting] == _Ramp.SET
        amplitude[starting] = np.where(is_set, policy.v_set_start_v, policy.v_reset_start_v)
        out_of_ramps = ramps[active] > max_ramps
        active = active[~inside & ~exhausted & ~out_of_ramps]
        if not active.size:
            break
        is_set = ramp[active] == _Ramp.SET
        v = np.where(is_set, amplitude[active], -amplitude[active])
        width = np.where(is_set, policy.width_set_s, policy.width_reset_s)
        pulse(cells[active], v, width)
        pulses[active] += 1
        ramp_pulses[active] += 1
        step = np.where(is_set, policy.v_set_step_v, policy.v_reset_step_v)
        stop = np.where(is_set, policy.v_set_stop_v, policy.v_reset_stop_v)
        amplitude[active] = np.minimum(amplitude[active] + step, stop)
        g[active] = read(cells[active], policy.verify_n_reads, policy.verify_n_discard)
    pulsed_ramps = np.minimum(ramps, max_ramps)  # the ramp refused past the limit: no pulse
    return IsppResult(g_us=g, pulses=pulses, outcome=outcome, iterations=(pulsed_ramps + 1) // 2)
