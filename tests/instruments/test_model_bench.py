"""The model bench: the device model answering the drivers' SCPI through the real pyvisa stack."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pyvisa

from hil.errors import LimitError
from hil.instruments.bench import load_bench
from hil.instruments.characterise import cycle, form, iv_sweep
from hil.instruments.errors import InstrumentError, InstrumentTimeout
from hil.instruments.model.visa_library import ModelVisaLibrary, model_bench
from hil.instruments.station import Station
from tests.instruments.conftest import MODEL_BENCH, bench_file

V_READ = 0.2


def g_us(station: Station, row: int, col: int) -> float:
    return float(station.read_current_a(row, col, V_READ, 4).mean() / V_READ * 1e6)


def test_resources_are_real_pyvisa_resources() -> None:
    with Station.open(load_bench(MODEL_BENCH)) as station:
        manager = station.manager
        assert isinstance(manager, pyvisa.ResourceManager)
        assert isinstance(manager.visalib, ModelVisaLibrary)
        assert len(manager.list_resources()) == 4
        assert station.smu.identify().startswith("HIL-MODEL,Keithley2450")
        commands = model_bench(manager).instruments[station.config.smu.address].commands
        assert commands[:3] == ["*RST", ":SOUR:FUNC VOLT", ':SENS:FUNC "CURR"']
        assert commands[-1] == "*IDN?"


def test_read_and_pulse_follow_the_device_model() -> None:
    with Station.open(load_bench(MODEL_BENCH)) as station:
        fresh = [g_us(station, 1, c) for c in range(8)]
        assert np.median(fresh) == pytest.approx(1.0, abs=0.3)  # the HRS floor, g_min = 1 uS
        assert max(fresh) < 2.5
        for _ in range(12):
            station.pulse(1, 2, 1.9, 1e-6)
        assert g_us(station, 1, 2) > 20
        # V/2 biasing: half-selected neighbours see 0.95 V, below the 1.3 V threshold
        neighbours = [g_us(station, 1, c) for c in (0, 1, 3)] + [
            g_us(station, r, 2) for r in (0, 2)
        ]
        assert max(neighbours) < 2.5
        for _ in range(12):
            station.pulse(1, 2, -1.9, 1e-6)
        assert g_us(station, 1, 2) < 10
        crossbar = model_bench(station.manager).crossbar
        assert crossbar.closed == frozenset({"1A02", "1B07"})  # the last read's selection


def test_grounded_unselected_lines_disturb_the_row(tmp_path: Path) -> None:
    """With grounded unselected lines a pulse puts its full voltage on the row's other cells."""
    path = bench_file(tmp_path, {'pulse = "half"': 'pulse = "ground"'})
    with Station.open(load_bench(path)) as station:
        for _ in range(12):
            station.pulse(0, 0, 1.9, 1e-6)
        row_neighbours = [g_us(station, 0, c) for c in range(1, 8)]
        column_neighbours = [g_us(station, r, 0) for r in range(1, 4)]
    assert min(row_neighbours) > 10  # disturbed: the reason V/2 is the default for pulses
    assert max(column_neighbours) < 2.5


def test_grounded_reads_include_the_half_selected_row(tmp_path: Path) -> None:
    path = bench_file(tmp_path, {'read = "float"': 'read = "ground"'})
    with Station.open(load_bench(path)) as station:
        assert g_us(station, 0, 0) == pytest.approx(8.0, rel=0.15)  # 8 cells of ~1 uS


def test_iv_fit_recovers_the_model_sinh() -> None:
    with Station.open(load_bench(MODEL_BENCH)) as station:
        for _ in range(12):
            station.pulse(2, 5, 1.9, 1e-6)
        g_true = g_us(station, 2, 5)
        sweep = iv_sweep(station, 2, 5, v_max_v=0.8, n_per_branch=9)
    assert len(sweep.v) == 33 and sweep.v.max() == pytest.approx(0.8)
    assert sweep.fit.b_per_v == pytest.approx(2.7, abs=0.15)  # DeviceParams.iv_b_per_v
    assert sweep.fit.g_us == pytest.approx(g_true, rel=0.05)
    assert np.all(np.sign(sweep.i_a[sweep.v != 0]) == np.sign(sweep.v[sweep.v != 0]))


def test_forming_stops_at_the_current_jump(tmp_path: Path) -> None:
    path = bench_file(
        tmp_path,
        {"v_reset_max_v = 2.5": "v_reset_max_v = 2.5\nv_form_max_v = 4.0"},
        extra="v_form_v = 3.0\ng_unformed_us = 0.01\n",
    )
    with Station.open(load_bench(path)) as station:
        assert g_us(station, 0, 0) == pytest.approx(0.01, rel=0.01)
        result = form(station, 0, 0, v_stop_v=4.0, v_step_v=0.05, compliance_a=5e-5)
        assert result.formed and 2.6 < result.v_form_v < 3.4
        assert result.v[-1] == result.v_form_v and len(result.v) < 4.0 / 0.05
        assert abs(result.i_a[-1]) == pytest.approx(5e-5)  # the SMU's compliance caps it
        assert g_us(station, 0, 0) > 20  # formed into the LRS
        assert g_us(station, 0, 1) == pytest.approx(0.01, rel=0.01)  # still unformed
        again = form(station, 0, 1, v_stop_v=1.0, v_step_v=0.1, compliance_a=5e-5)
        assert not again.formed and np.isnan(again.v_form_v) and len(again.v) == 10


def test_cycling_switches_between_set_and_reset() -> None:
    with Station.open(load_bench(MODEL_BENCH)) as station:
        result = cycle(station, 3, 3, n_cycles=6, v_set_v=2.0, v_reset_v=2.0, width_s=1e-6)
    assert result.g_set_us.shape == result.g_reset_us.shape == (6,)
    assert np.median(result.window_ratio) > 5
    assert np.all(result.g_set_us > result.g_reset_us)


def test_unknown_commands_land_in_the_model_error_queue() -> None:
    with Station.open(load_bench(MODEL_BENCH)) as station:
        station.smu.send(":SOUR:CURR 1e-3")  # a current source command this model does not know
        with pytest.raises(InstrumentError, match=r'-113,"Undefined header".*SOUR:CURR'):
            station.smu.check_errors()
        station.smu.send(":SOUR:VOLT 250")  # beyond the 2450's 210 V rating
        with pytest.raises(InstrumentError, match="Data out of range"):
            station.smu.check_errors()


def test_closing_leaves_outputs_off_and_the_matrix_open() -> None:
    station = Station.open(load_bench(MODEL_BENCH))
    bench = model_bench(station.manager)
    station.pulse(0, 0, 1.5, 1e-6)
    station.smu.output_enabled = True
    station.close()
    assert bench.crossbar.closed == frozenset()
    for instrument in bench.instruments.values():
        assert instrument.state.get("output_enabled", False) is False


def test_silent_queries_time_out_naming_the_address() -> None:
    with (
        Station.open(load_bench(MODEL_BENCH)) as station,
        pytest.raises(InstrumentTimeout, match=r"at GPIB0::18::INSTR did not answer"),
    ):
        station.matrix.ask("print(channel.getstate())")  # not a command this model knows


def test_station_pulses_respect_the_set_and_reset_limits() -> None:
    with Station.open(load_bench(MODEL_BENCH)) as station:
        bench = model_bench(station.manager)
        before = sum(len(sim.commands) for sim in bench.instruments.values())
        with pytest.raises(LimitError, match="exceeds the bench limits"):
            station.pulse(0, 0, -2.6, 1e-6)
        assert sum(len(sim.commands) for sim in bench.instruments.values()) == before


@pytest.mark.parametrize("driver", ["keithley2400", "keithley2450", "keysight_b2900"])
def test_every_smu_dialect_pulses_and_reads_the_model(tmp_path: Path, driver: str) -> None:
    path = bench_file(
        tmp_path,
        {
            'driver = "keithley2450"': f'driver = "{driver}"',
            'pulse_source = "pulser"': 'pulse_source = "smu"',
        },
    )
    with Station.open(load_bench(path)) as station:
        assert station.smu.identify().split(",")[1] == type(station.smu).__name__
        before = g_us(station, 2, 2)
        for _ in range(6):
            station.pulse(2, 2, 1.8, 1e-3)
        after = g_us(station, 2, 2)
        commands = model_bench(station.manager).instruments[station.config.smu.address].commands
    assert before < 2.5 and after > 20
    assert not any(c.startswith("print(") for c in commands)  # no matrix TSP sent to the SMU
