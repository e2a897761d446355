"""`SimChip`: the Chip interface on the in-process numpy device model, with a virtual clock.

It behaves like the reference chip of the protocol: reads and MVM outputs pass through ADCs of the
reference chip's resolution, MVM inputs through its DAC (over +-READ_V, saturating, as the spec
and rtl/mvm_unit.sv have it), and PROGRAM runs the NeuRRAM-style ISPP
engine under the policy registers. Every operation costs virtual time (a pulse its width plus
`op_overhead_s`, a read `op_overhead_s` per averaged read), so relaxation during programming is
modelled rather than ignored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from firmware_interface.protocol import AMPLITUDE, REFERENCE_CHIP, REGISTERS, Register
from hil.chip import Chip, ChipCapabilities, Operation, ProgramOutcome
from hil.device.array import CellArray, RelaxationSource
from hil.device.converters import signed_converter, unsigned_adc
from hil.device.params import DeviceParams
from hil.device.write_verify import IsppPolicy, ispp_program

SIM_OPERATIONS = frozenset(Operation)
READ_V_RESET_V = AMPLITUDE.from_code(REGISTERS[Register.READ_V].reset)
"""The READ_V register's reset value (firmware_interface/spec.toml), volts."""


class SimChip(Chip):
    """An in-process simulated chip. Seeded: the same seed and calls give the same numbers."""

    def __init__(
        self,
        rows: int = REFERENCE_CHIP.rows,
        cols: int = REFERENCE_CHIP.cols,
        params: DeviceParams | None = None,
        *,
        seed: int = 0,
        op_overhead_s: float = 1e-6,
        initial_g_us: float | None = None,
        retention: RelaxationSource | None = None,
    ):
        """`retention`: a fitted retention model (calibration.retention) to relax as, instead of
        the relaxation in `params`."""
        self.array = CellArray(
            rows, cols, params, seed=seed, initial_g_us=initial_g_us, retention=retention
        )
        self.op_overhead_s = op_overhead_s
        self.read_v_v = READ_V_RESET_V
        """The READ_V register: full scale of the MVM input DAC, volts (inputs beyond it, up to
        the limit ``v_read_max_v``, saturate). The protocol board sets it on CONFIG writes."""
        reference = ChipCapabilities.from_info(REFERENCE_CHIP, backend="sim")
        self._info = replace(reference, rows=rows, cols=cols, operations=SIM_OPERATIONS)

    @property
    def params(self) -> DeviceParams:
        return self.array.params

    @property
    def now_s(self) -> float:
        """Virtual time since creation."""
        return self.array.now_s

    def time_s(self) -> float:
        return self.array.now_s

    def info(self) -> ChipCapabilities:
        return self._info

    def state(self) -> dict[str, Any]:
        """A checkpoint of the whole simulated chip (see `from_state`)."""
        return {
            **self.array.state(),
            "op_overhead_s": np.float64(self.op_overhead_s),
            "read_v_v": np.float64(self.read_v_v),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SimChip:
        """The chip a checkpoint describes, continuing its clock, cells and noise sequence."""
        chip = cls.__new__(cls)
        chip.array = CellArray.from_state(state)
        chip.op_overhead_s = float(state["op_overhead_s"])
        chip.read_v_v = float(state.get("read_v_v", READ_V_RESET_V))
        reference = ChipCapabilities.from_info(REFERENCE_CHIP, backend="sim")
        chip._info = replace(
            reference, rows=chip.array.rows, cols=chip.array.cols, operations=SIM_OPERATIONS
        )
        return chip

    def inject_stuck(self, rows: np.ndarray, cols: np.ndarray, g_us: np.ndarray | float) -> None:
        """Pin cells at a conductance (fault injection)."""
        self._require(Operation.FAULT_INJECT)
        r, c = self._cells(rows, cols)
        cells = self.array.index(r.ravel(), c.ravel())
        self.array.cells.stuck[cells] = True
        self.array.cells.stuck_g_us[cells] = np.broadcast_to(g_us, r.shape).ravel()

    # --- backend hooks ---------------------------------------------------------------------------

    def _read(self, rows: np.ndarray, cols: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        return self._read_cells(self._index(rows, cols), n_reads, n_discard)

    def _pulse(
        self, rows: np.ndarray, cols: np.ndarray, v: np.ndarray, width_s: np.ndarray
    ) -> None:
        self._pulse_cells(self._index(rows, cols), v, width_s)

    def _program(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        target_us: np.ndarray,
        tolerance_us: np.ndarray,
        policy: IsppPolicy,
    ) -> ProgramOutcome:
        v_step = self._info.limits.v_step_v

        def pulse_through_dac(cells: np.ndarray, v: np.ndarray, width_s: np.ndarray) -> None:
            self._pulse_cells(cells, np.round(v / v_step) * v_step, width_s)

        result = ispp_program(
            read=self._read_cells,
            pulse=pulse_through_dac,
            cells=self.array.index(rows, cols),
            target_us=target_us,
            tolerance_us=tolerance_us,
            policy=policy,
        )
        return ProgramOutcome(
            rows, cols, target_us, result.g_us, result.pulses, result.outcome, result.iterations
        )

    def _mvm(self, v_in: np.ndarray, row: int, col: int, n_pairs: int) -> np.ndarray:
        limits = self._info.limits
        v_q = signed_converter(v_in, self.read_v_v, limits.mvm_input_bits)
        self.array.advance(self.op_overhead_s)
        i_ua = self.array.mvm(v_q, row, col, n_pairs)
        return signed_converter(i_ua, limits.i_full_scale_ua, limits.mvm_adc_bits)

    def _advance_time(self, dt_s: float, temperature_k: float | None) -> float:
        self.array.advance(dt_s, temperature_k)
        return self.array.now_s

    def _set_temperature(self, temperature_k: float) -> None:
        self.array.set_temperature(temperature_k)

    # --- internals on flat cell indices ----------------------------------------------------------

    def _index(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | slice:
        """Flat cell indices; a slice when they are one ascending run (full-width blocks), which
        lets the model work on views instead of gathering and scattering a million cells."""
        flat = self.array.index(rows, cols)
        first, last = int(flat[0]), int(flat[-1])
        if last - first == flat.size - 1 and np.all(np.diff(flat) == 1):
            return slice(first, last + 1)
        return flat

    def _read_cells(self, cells: np.ndarray | slice, n_reads: int, n_discard: int) -> np.ndarray:
        self.array.advance(self.op_overhead_s * (n_reads + n_discard))
        limits = self._info.limits
        return unsigned_adc(
            self.array.read(cells, n_reads), limits.g_full_scale_us, limits.adc_bits
        )

    def _pulse_cells(self, cells: np.ndarray | slice, v: np.ndarray, width_s: np.ndarray) -> None:
        self.array.advance(float(np.max(width_s, initial=0.0)) + self.op_overhead_s)
        self.array.pulse(cells, v, width_s)
