"""An open bench: its instruments, and single-cell operations through the switch matrix.

`Station.open(config)` opens and configures every instrument of a bench file; `close()` (or
leaving `with`) turns every output off and opens every crosspoint, whatever happened before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import TracebackType

import numpy as np
import pyvisa

from hil.errors import LimitError
from hil.instruments.bench import BenchConfig, InstrumentEntry
from hil.instruments.connection import open_resource, resource_manager
from hil.instruments.limits import SourceLimits
from hil.instruments.pulse_generator import Keysight33500B
from hil.instruments.scpi import Instrument
from hil.instruments.smu import Keithley2400, Keithley2450, KeysightB2900, Smu
from hil.instruments.switch_matrix import Keithley707B, Keithley708B

DRIVERS: dict[str, type[Instrument]] = {
    "keithley2400": Keithley2400,
    "keithley2450": Keithley2450,
    "keysight_b2900": KeysightB2900,
    "keithley707b": Keithley707B,
    "keithley708b": Keithley708B,
    "keysight33500b": Keysight33500B,
}


class Station:
    """The instruments of one bench, configured and in their safe state."""

    def __init__(
        self,
        config: BenchConfig,
        manager: pyvisa.ResourceManager,
        smu: Smu,
        matrix: Keithley707B,
        bias: Smu | None,
        pulser: Keysight33500B | None,
    ):
        self.config, self.manager = config, manager
        self.smu, self.matrix, self.bias, self.pulser = smu, matrix, bias, pulser
        self._selection: tuple[int, int, str, str] | None = None

    @classmethod
    def open(cls, config: BenchConfig) -> Station:
        """Open and configure every instrument of the bench (closing them again on failure)."""
        manager = resource_manager(config.visa_library, config)
        limits = config.limits
        source = SourceLimits(
            limits.v_max_v, max(limits.read_compliance_a, limits.pulse_compliance_a)
        )
        with ExitStack() as undo:
            undo.callback(manager.close)

            def make(role: str, entry: InstrumentEntry | None) -> Instrument | None:
                if entry is None:
                    return None
                resource = open_resource(manager, entry.address, config.timeout_ms)
                undo.callback(resource.close)
                driver = DRIVERS[entry.driver]
                kwargs = {"channel": entry.channel, "label": f"{role} ({entry.driver})"}
                if issubclass(driver, Smu | Keysight33500B):
                    kwargs["limits"] = source
                instrument = driver(resource, **kwargs)  # type: ignore[arg-type]
                instrument.configure()  # type: ignore[attr-defined]
                return instrument

            instruments = {
                "matrix": make("matrix", config.matrix),
                "smu": make("smu", config.smu),
                "bias": make("bias", config.bias),
                "pulser": make("pulser", config.pulser),
            }
            undo.pop_all()
        return cls(config, manager, **instruments)  # type: ignore[arg-type]

    # --- single-cell operations -----------------------------------------------------------------

    def read_current_a(self, row: int, col: int, v: float, n: int = 1) -> np.ndarray:
        """`n` current readings (A) of cell (row, col) at `v` volts under the read biasing."""
        scheme = self.config.read_bias
        self._select(row, col, "smu", scheme)
        compliance = self.config.limits.read_compliance_a
        with self._biased(scheme, v):
            return np.array([self.smu.force_and_measure(v, compliance) for _ in range(n)])

    def sweep_a(self, row: int, col: int, voltages: np.ndarray, compliance_a: float) -> np.ndarray:
        """Currents (A) of cell (row, col) at each voltage in turn (a DC staircase)."""
        scheme = self.config.read_bias
        self._select(row, col, "smu", scheme)
        currents = np.empty(len(voltages))
        for i, v in enumerate(voltages):
            with self._biased(scheme, float(v)):
                currents[i] = self.smu.force_and_measure(float(v), compliance_a)
        return currents

    def pulse(self, row: int, col: int, v: float, width_s: float) -> None:
        """One signed pulse on cell (row, col) from the configured pulse source and biasing.

        Raises LimitError, before any I/O, above the bench's SET (v > 0) or RESET (v < 0) limit.
        """
        limits = self.config.limits
        if v > limits.v_set_max_v or -v > limits.v_reset_max_v:
            raise LimitError(
                f"a {v} V pulse exceeds the bench limits (SET <= {limits.v_set_max_v} V, "
                f"RESET <= {limits.v_reset_max_v} V); nothing was sent"
            )
        scheme, source = self.config.pulse_bias, self.config.pulse_source
        self._select(row, col, source, scheme)
        with self._biased(scheme, v):
            if source == "pulser":
                assert self.pulser is not None
                self.pulser.pulse(v, width_s)
            else:
                self.smu.pulse(v, width_s, self.config.limits.pulse_compliance_a)

    # --- internals ------------------------------------------------------------------------------

    def _select(self, row: int, col: int, source: str, scheme: str) -> None:
        selection = (row, col, source, scheme)
        if selection != self._selection:
            self._selection = None  # unknown until the matrix confirms
            self.matrix.connect(self.config.crosspoints(row, col, source, scheme))
            self._selection = selection

    @contextmanager
    def _biased(self, scheme: str, v: float) -> Iterator[None]:
        """Hold the bias bus at v/2 for "half" biasing; its output is off afterwards."""
        if scheme != "half":
            yield
            return
        assert self.bias is not None
        self.bias.compliance_a = self.config.limits.pulse_compliance_a
        self.bias.source_voltage_v = v / 2
        self.bias.output_enabled = True
        try:
            yield
        finally:
            self.bias.output_enabled = False

    def close(self) -> None:
        """Outputs off, crosspoints open, sessions closed; every step runs even if one fails."""
        with ExitStack() as stack:
            stack.callback(self.manager.close)
            for instrument in (self.matrix, self.pulser, self.bias, self.smu):
                if instrument is not None:
                    stack.callback(instrument.close)
        self._selection = None

    def __enter__(self) -> Station:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
