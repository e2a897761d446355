"""`CountingChip`: forwards every operation to another Chip and counts the calls.

For tests and benchmarks that check how a procedure uses a chip (calls per step, offloading),
and to present a simulator as a chip without virtual time or without on-chip PROGRAM.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from hil.chip import Chip, ChipCapabilities, Operation, ProgramOutcome
from hil.device.write_verify import IsppPolicy


class CountingChip(Chip):
    """Forwards to `inner`, counting calls per operation (and cells per pulse call).

    With `virtual_time=False` it hides ADVANCE_TIME and SET_TEMPERATURE, like a real chip; with
    `program=False` it hides the on-chip PROGRAM.
    """

    def __init__(self, inner: Chip, *, virtual_time: bool = True, program: bool = True):
        self.inner = inner
        operations = set(inner.info().operations)
        if not virtual_time:
            operations -= {Operation.ADVANCE_TIME, Operation.SET_TEMPERATURE}
        if not program:
            operations.discard(Operation.PROGRAM)
        self._info: ChipCapabilities = replace(
            inner.info(), operations=frozenset(operations), virtual_time=virtual_time
        )
        self.calls: Counter[str] = Counter()
        self.cells_per_pulse_call: list[int] = []

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def info(self) -> ChipCapabilities:
        return self._info

    def time_s(self) -> float:
        return self.inner.time_s() if self._info.virtual_time else super().time_s()

    def _read(self, rows: np.ndarray, cols: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        self.calls["read"] += 1
        return self.inner.read(rows, cols, n_reads=n_reads, n_discard=n_discard)

    def _pulse(
        self, rows: np.ndarray, cols: np.ndarray, v: np.ndarray, width_s: np.ndarray
    ) -> None:
        self.calls["pulse"] += 1
        self.cells_per_pulse_call.append(int(rows.size))
        self.inner.pulse(rows, cols, v, width_s)

    def _program(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        target_us: np.ndarray,
        tolerance_us: np.ndarray,
        policy: IsppPolicy,
    ) -> ProgramOutcome:
        self.calls["program"] += 1
        return self.inner.program(rows, cols, target_us, tolerance_us, policy)

    def _mvm(self, v_in: np.ndarray, row: int, col: int, n_pairs: int) -> np.ndarray:
        self.calls["mvm"] += 1
        return self.inner.mvm(v_in, row, col, n_pairs)

    def _advance_time(self, dt_s: float, temperature_k: float | None) -> float:
        self.calls["advance_time"] += 1
        return self.inner.advance_time(dt_s, temperature_k)

    def _set_temperature(self, temperature_k: float) -> None:
        self.calls["set_temperature"] += 1
        self.inner.set_temperature(temperature_k)
