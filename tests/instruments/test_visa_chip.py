"""The `visa:` backend: the Chip interface on the model bench, programmed by host write-verify."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hil.backends import open_chip
from hil.backends.visa import VisaChip
from hil.chip import Operation
from hil.errors import LimitError, UnsupportedOperation
from hil.instruments.model.visa_library import model_bench
from hil.program import default_policy, program_block
from tests.instruments.conftest import MODEL_BENCH, bench_file


def test_info_comes_from_the_bench_file() -> None:
    with open_chip(f"visa:{MODEL_BENCH}") as chip:
        assert isinstance(chip, VisaChip)
        info = chip.info()
        settings = chip.instrument_settings()
    assert (info.backend, info.rows, info.cols) == ("visa", 4, 8)
    assert info.operations == frozenset({Operation.READ, Operation.PULSE})
    assert not info.virtual_time
    limits = info.limits
    assert (limits.v_set_max_v, limits.v_reset_max_v, limits.v_read_max_v) == (2.5, 2.5, 0.2)
    assert limits.width_min_s == pytest.approx(16e-9)  # the 33500B is the pulse source
    assert limits.g_full_scale_us == pytest.approx(500.0)  # 100 uA / 0.2 V
    assert settings["identities"]["pulser"].startswith("Agilent Technologies,33522B")
    assert settings["biasing"]["pulse"] == "half"


def test_program_and_read_a_small_crossbar() -> None:
    target = np.random.default_rng(1).uniform(5.0, 35.0, (4, 8))
    with open_chip(f"visa:{MODEL_BENCH}") as chip:
        result = program_block(chip, target)
        g_us = chip.read_block()
        crossbar = model_bench(chip.station.manager).crossbar
        assert len(crossbar.closed) == 2  # float read biasing: the last cell's two crosspoints
    stats = result.stats()
    assert stats.n_cells == 32 and stats.success_pct >= 90
    assert not stats.offloaded
    error = np.abs(g_us - target)
    assert np.median(error) < 1.5  # relaxation since the verify reads widens the band a little
    assert crossbar.closed == frozenset()  # closing opened every crosspoint


def test_limits_refuse_before_the_bench_is_touched() -> None:
    with open_chip(f"visa:{MODEL_BENCH}") as chip:
        commands = model_bench(chip.station.manager).instruments
        before = {address: len(sim.commands) for address, sim in commands.items()}
        with pytest.raises(LimitError):
            chip.pulse(np.array([0]), np.array([0]), 2.6, 1e-6)
        with pytest.raises(LimitError):
            chip.pulse(np.array([0]), np.array([0]), 1.5, 2.0)
        with pytest.raises(LimitError):
            program_block(
                chip,
                np.full((2, 2), 10.0),
                policy=default_policy().replace(
                    set_ramp=default_policy().set_ramp.__class__(1.2, 3.0, 0.1, 1e-6)
                ),
            )
        with pytest.raises(UnsupportedOperation):
            chip.mvm(np.zeros(4))
        assert {a: len(sim.commands) for a, sim in commands.items()} == before


def test_smu_pulses_refuse_microsecond_widths(tmp_path: Path) -> None:
    path = bench_file(tmp_path, {'pulse_source = "pulser"': 'pulse_source = "smu"'})
    with open_chip(f"visa:{path}") as chip:
        assert chip.info().limits.width_min_s == pytest.approx(1e-3)  # the 2450's floor
        with pytest.raises(LimitError, match="outside the chip's"):
            program_block(chip, np.full((1, 2), 10.0))
        chip.pulse(np.array([1]), np.array([1]), 1.6, 2e-3)  # a millisecond SMU pulse works
        assert chip.read(np.array([1]), np.array([1]))[0] > 2.0
