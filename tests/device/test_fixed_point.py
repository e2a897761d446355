"""The RTL's fixed-point twin against the float device model (statistical agreement).

Tolerances: the twin quantises thresholds to 10 mV, multipliers to 8 lognormal levels, L(t) to
quarter octaves (at most 0.22 below the exact value) and Gaussians to Irwin-Hall sums of four
bytes, so it agrees with the float model statistically, not sample by sample.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from firmware_interface.protocol import REGISTERS, CellOutcome
from hil.device import CellArray, DeviceParams, IsppPolicy, ispp_program
from hil.device.fixed_point import (
    IRWIN_HALL_SD,
    FixedPointArray,
    gaussians,
    log_time_index,
    xorshift32,
)

NEURRAM = IsppPolicy(pulses_per_ramp=30, max_iterations=20)
SIDE = 64  # 4096 cells


def test_xorshift32_reference_values() -> None:
    """Marsaglia (2003), shifts (13, 17, 5): the sequence from 1 starts 270369, 67634689."""
    assert xorshift32(1) == 270369
    assert xorshift32(270369) == 67634689
    draws, _ = gaussians(12345, 50_000)
    assert abs(draws.mean()) < 2.0
    assert draws.std() == pytest.approx(IRWIN_HALL_SD, rel=0.02)
    assert stats.kurtosis(draws) == pytest.approx(-0.3, abs=0.05)  # Irwin-Hall, n = 4


def test_log_time_buckets() -> None:
    t = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 1000, 2**40 + 2**39])
    assert list(log_time_index(t)) == [0, 0, 4, 6, 8, 9, 10, 11, 12, 39, 162]


def test_same_seed_same_bits() -> None:
    def run(seed: int) -> np.ndarray:
        array = FixedPointArray(8, 8, seed=seed)
        cells = np.arange(64)
        array.pulse(cells, np.full(64, 155), np.ones(64, bool), np.full(64, 100))
        array.advance(1_000_000)
        return array.read(cells, 4)

    assert np.array_equal(run(7), run(7)) and not np.array_equal(run(7), run(8))


def fixed_read_pulse(array: FixedPointArray):
    """ispp_program callbacks on the twin: codes in, uS out; 1 us of chip time per event."""

    def read(cells: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        array.advance(n_reads + n_discard)
        return array.read(np.asarray(cells), n_reads) * 0.01

    def pulse(cells: np.ndarray, v: np.ndarray, width_s: np.ndarray) -> None:
        array.advance(1)
        steps = np.rint(np.abs(np.broadcast_to(v, np.shape(cells))) / 0.01).astype(np.int64)
        widths = np.rint(np.broadcast_to(width_s, np.shape(cells)) / 10e-9).astype(np.int64)
        array.pulse(np.asarray(cells), steps, np.broadcast_to(v, np.shape(cells)) > 0, widths)

    return read, pulse


def float_read_pulse(array: CellArray):
    def read(cells: np.ndarray, n_reads: int, n_discard: int) -> np.ndarray:
        array.advance(1e-6 * (n_reads + n_discard))
        return array.read(cells, n_reads)

    def pulse(cells: np.ndarray, v: np.ndarray, width_s: np.ndarray) -> None:
        array.advance(1e-6)
        array.pulse(cells, v, width_s)

    return read, pulse


def test_write_verify_statistics_agree() -> None:
    """NeuRRAM ISPP on 4096 cells, uniform targets over 1-40 uS: twin vs float model.
    Median pulses within 2, mean within 20 %, success within 2 percentage points."""
    targets = np.random.default_rng(3).uniform(1.0, 40.0, SIDE * SIDE)
    cells = np.arange(SIDE * SIDE)
    params = DeviceParams(abrupt_set=False)  # the RTL model has no abrupt SET (DESIGN.md)
    twin = ispp_program(*fixed_read_pulse(FixedPointArray(SIDE, SIDE, params, seed=9)),
                        cells, targets, 1.0, NEURRAM)  # fmt: skip
    model = ispp_program(*float_read_pulse(CellArray(SIDE, SIDE, params, seed=9)),
                         cells, targets, 1.0, NEURRAM)  # fmt: skip
    assert abs(np.median(twin.pulses) - np.median(model.pulses)) <= 2
    assert twin.pulses.mean() == pytest.approx(model.pulses.mean(), rel=0.20)
    assert abs(twin.success.mean() - model.success.mean()) <= 0.02


@pytest.mark.parametrize("t_s", [1.0, 1e3, 1e5])
def test_relaxation_sd_agrees(t_s: float) -> None:
    """sd of dG after programming to about 10 uS: twin within 15 % of the float model."""
    n = SIDE * SIDE
    params = DeviceParams(p_stuck=0.0)
    twin = FixedPointArray(SIDE, SIDE, params, seed=4)
    model = CellArray(SIDE, SIDE, params, seed=4, initial_g_us=10.0)
    cells = np.arange(n)
    twin.g[:] = 1000  # written to 10.00 uS at t = 0
    twin.g_prog[:] = 1000
    model.pulse(cells, 0.0, 1e-6)  # (no-op) the float cells start written at 10 uS, t = 0
    g0_twin, g0_model = twin.g.copy(), model.conductance_us().copy()
    twin.advance(round(t_s * 1e6))
    model.advance(t_s)
    sd_twin = np.std((twin.g - g0_twin) * 0.01)
    sd_model = np.std(model.conductance_us() - g0_model)
    assert sd_twin == pytest.approx(sd_model, rel=0.15)


def test_engine_twin_statistics_agree() -> None:
    """The on-chip engine's twin (`FixedPointArray.program`: entry-major draws, whole DAC steps,
    integer codes) under the reset (NeuRRAM) registers against `ispp_program` on the float model,
    512 cells in batches of 128 with targets over 1-40 uS and a 1 uS band. Median pulses within
    2, mean within 20 %, success within 4 percentage points."""
    n = 512
    targets = np.random.default_rng(6).uniform(1.0, 40.0, n)
    params = DeviceParams(abrupt_set=False)
    twin = FixedPointArray(8, 64, params, seed=12)
    registers = {int(r): spec.reset for r, spec in REGISTERS.items()}
    codes = np.round(targets / 0.01).astype(np.int64)
    pulses, success = [], []
    for start in range(0, n, 128):
        batch = np.arange(start, start + 128)
        out = twin.program(batch, codes[batch], np.full(128, 100), registers)
        pulses.append(out.pulses)
        success.append(out.outcome == CellOutcome.CONVERGED)
    twin_pulses, twin_success = np.concatenate(pulses), np.concatenate(success)
    model = ispp_program(*float_read_pulse(CellArray(8, 64, params, seed=12)), np.arange(n),
                         targets, 1.0, NEURRAM)  # fmt: skip
    assert abs(np.median(twin_pulses) - np.median(model.pulses)) <= 2
    assert twin_pulses.mean() == pytest.approx(model.pulses.mean(), rel=0.20)
    assert abs(twin_success.mean() - model.success.mean()) <= 0.04
