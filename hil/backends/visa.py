"""`VisaChip`: the Chip interface on a bench of SCPI instruments (an SMU, a switch matrix, and
optionally a V/2 bias SMU and a pulse generator), described by a bench TOML file.

- read: the matrix connects the SMU to the cell's word line and the ground bus to its bit line,
  the SMU applies the read voltage and measures the current: G = I / V_read (uS).
- pulse: the same selection with the configured pulse source (SMU pulse mode or the pulse
  generator) and biasing of the unselected lines (float, ground or V/2; hil/instruments/bench.py).
- program: no on-chip PROGRAM; the host write-verify (hil.program) drives read and pulse.

Cells are addressed one at a time (a bench has one SMU), so this backend suits small arrays and
single devices. Limits come from the bench file and the instruments' ratings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hil.chip import Chip, ChipCapabilities, ChipLimits, Operation
from hil.instruments.bench import BenchConfig, load_bench
from hil.instruments.station import Station

V_STEP_V = 1e-3
"""Source setting resolution used for pulse amplitudes: 2450/2400 200 mV-2 V ranges resolve
5-50 uV and the 33500B 1 mV (datasheets), so 1 mV is a grid every source honours."""
ADC_BITS = 20
"""Nominal resolution of a 6.5-digit SMU reading (+-2,100,000 counts, about 21 bits)."""


class VisaChip(Chip):
    """A crossbar reached through a switch matrix by SCPI instruments over VISA."""

    def __init__(self, bench: BenchConfig | str | Path):
        self.config = bench if isinstance(bench, BenchConfig) else load_bench(bench)
        self.station = Station.open(self.config)
        self._info = self._capabilities()

    def info(self) -> ChipCapabilities:
        return self._info

    def instrument_settings(self) -> dict[str, Any]:
        """The bench record for the measurement file's `instrument_settings`."""
        station = self.station
        identities = {"smu": station.smu.identify(), "matrix": station.matrix.identify()}
        if station.bias is not None:
            identities["bias"] = station.bias.identify()
        if station.pulser is not None:
            identities["pulser"] = station.pulser.identify()
        return {**self.config.settings(), "identities": identities}

    def close(self) -> None:
        self.station.close()

    # --- backend hooks ---------------------------------------------------------------------------

    def _read(self, rows: np.ndarray, cols: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        v_read = self.config.limits.v_read_v
        g_us = np.empty(rows.size, dtype=np.float64)
        for k, (row, col) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            currents = self.station.read_current_a(row, col, v_read, n_discard + n_reads)
            g_us[k] = currents[n_discard:].mean() / v_read * 1e6
        return g_us

    def _pulse(
        self, rows: np.ndarray, cols: np.ndarray, v: np.ndarray, width_s: np.ndarray
    ) -> None:
        v_all = np.broadcast_to(v, rows.shape)
        width_all = np.broadcast_to(width_s, rows.shape)
        for row, col, volts, width in zip(
            rows.tolist(), cols.tolist(), v_all.tolist(), width_all.tolist(), strict=True
        ):
            if volts != 0.0:
                self.station.pulse(row, col, volts, width)

    # --- internals ------------------------------------------------------------------------------

    def _capabilities(self) -> ChipCapabilities:
        config, station = self.config, self.station
        source = station.pulser if config.pulse_source == "pulser" else station.smu
        assert source is not None
        ratings = source.RATINGS
        limits = config.limits
        g_full_scale_us = limits.read_compliance_a / limits.v_read_v * 1e6
        chip_limits = ChipLimits(
            v_set_max_v=min(limits.v_set_max_v, ratings.v_max_v),
            v_reset_max_v=min(limits.v_reset_max_v, ratings.v_max_v),
            v_step_v=V_STEP_V,
            width_min_s=ratings.width_min_s,
            width_max_s=ratings.width_max_s,
            adc_bits=ADC_BITS,
            g_full_scale_us=g_full_scale_us,
            mvm_input_bits=0,
            mvm_adc_bits=0,
            i_full_scale_ua=limits.read_compliance_a * 1e6,
            v_read_max_v=limits.v_read_v,
        )
        return ChipCapabilities(
            chip_id=f"bench:{config.path.stem}",
            backend="visa",
            rows=config.rows,
            cols=config.cols,
            limits=chip_limits,
            operations=frozenset({Operation.READ, Operation.PULSE}),
            virtual_time=False,
        )
