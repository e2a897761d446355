"""The Chip interface on SimChip: limits before I/O, addressing, converters, every operation."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_interface.protocol import REFERENCE_CHIP, CellOutcome
from hil.backends.sim import SimChip
from hil.chip import REFERENCE_LIMITS, Chip, ChipCapabilities, Operation
from hil.device import IsppPolicy
from hil.errors import AddressError, LimitError, UnsupportedOperation

ROWS, COLS = np.meshgrid(np.arange(64), np.arange(128), indexing="ij")


def snapshot(chip: SimChip) -> tuple[np.ndarray, float]:
    return chip.array.g_prog_us.copy(), chip.now_s


def test_info_is_the_reference_chip() -> None:
    info = SimChip(seed=0).info()
    assert (info.rows, info.cols) == (REFERENCE_CHIP.rows, REFERENCE_CHIP.cols) == (64, 128)
    assert info.limits == REFERENCE_LIMITS
    assert info.limits.v_set_max_v == 3.0 and info.limits.width_max_s == pytest.approx(100e-6)
    assert info.operations == frozenset(Operation) and info.virtual_time


@pytest.mark.parametrize(
    ("v", "width_s", "message"),
    [
        (3.01, 1e-6, "exceed the amplitude limits"),
        (-3.5, 1e-6, "exceed the amplitude limits"),
        (1.5, 5e-9, "pulse width"),
        (1.5, 1e-3, "pulse width"),
        (np.nan, 1e-6, "finite"),
    ],
)
def test_pulse_limits_refuse_before_anything_happens(v, width_s, message) -> None:
    chip = SimChip(seed=1)
    before = snapshot(chip)
    with pytest.raises(LimitError, match=message):
        chip.pulse(ROWS, COLS, v, width_s)
    after = snapshot(chip)
    assert np.array_equal(before[0], after[0]) and before[1] == after[1]


def test_one_bad_pulse_in_a_batch_refuses_the_whole_batch() -> None:
    chip = SimChip(seed=1)
    before = snapshot(chip)
    v = np.full(ROWS.shape, 1.8)
    v[10, 20] = 3.2
    with pytest.raises(LimitError, match="1 pulse"):
        chip.pulse(ROWS, COLS, v, 1e-6)
    assert np.array_equal(before[0], chip.array.g_prog_us)


def test_addresses_are_checked() -> None:
    chip = SimChip(seed=2)
    with pytest.raises(AddressError, match="outside the 64 x 128 array"):
        chip.read(np.array([64]), np.array([0]))
    with pytest.raises(AddressError):
        chip.pulse(np.array([0]), np.array([-1]), 1.5, 1e-6)
    with pytest.raises(TypeError, match="integers"):
        chip.read(np.array([0.5]), np.array([1]))
    with pytest.raises(ValueError, match="no cells"):
        chip.read(np.array([], dtype=int), np.array([], dtype=int))


def test_amplitudes_are_rounded_to_the_dac_step() -> None:
    def after_pulse(v: float) -> np.ndarray:
        chip = SimChip(8, 8, seed=3)
        chip.pulse(ROWS[:8, :8], COLS[:8, :8], v, 1e-6)
        return chip.array.g_prog_us

    assert np.array_equal(after_pulse(1.5012), after_pulse(1.50))
    assert not np.array_equal(after_pulse(1.51), after_pulse(1.50))


def test_reads_pass_through_the_adc_and_average() -> None:
    chip = SimChip(seed=4, initial_g_us=20.0)
    lsb = chip.info().limits.g_lsb_us
    g = chip.read_block()
    assert g.shape == (64, 128)
    assert np.allclose(g / lsb, np.rint(g / lsb), atol=1e-3)
    truth = chip.array.conductance_us().reshape(64, 128)
    one = np.std(chip.read_block() - truth)
    many = np.std(chip.read_block(n_reads=16) - truth)
    assert many < one / 2.5


def test_program_through_the_interface() -> None:
    chip = SimChip(16, 16, seed=5)
    rows, cols = ROWS[:16, :16], COLS[:16, :16]
    targets = np.linspace(5.0, 30.0, 256).reshape(16, 16)
    outcome = chip.program(rows, cols, targets, 1.0)
    assert outcome.g_us.shape == (256,) and outcome.pulses.min() >= 0
    ok = outcome.success
    assert ok.mean() > 0.95
    assert np.abs(outcome.g_us[ok] - outcome.target_us[ok]).max() <= 1.0
    # Read back a little later: cells relax from the moment they were written (DM6.3) and were
    # accepted anywhere in the band, so some have already left it (hence relax-and-recheck).
    error = np.abs(chip.read(outcome.rows[ok], outcome.cols[ok], n_reads=8) - outcome.target_us[ok])
    assert np.mean(error <= 1.0) > 0.7 and np.mean(error <= 1.5) > 0.9
    assert set(np.unique(outcome.outcome)) <= {int(o) for o in CellOutcome}
    with pytest.raises(LimitError, match="above the chip's limits"):
        chip.program(rows, cols, targets, 1.0, IsppPolicy(v_set_stop_v=3.5))
    with pytest.raises(ValueError, match="tolerances positive"):
        chip.program(rows, cols, targets, 0.0)


def test_mvm_matches_the_conductances_within_converter_error() -> None:
    chip = SimChip(seed=6)
    chip.program(ROWS, COLS, np.random.default_rng(0).uniform(2, 38, ROWS.shape), 1.0)
    v_in = np.random.default_rng(1).uniform(-0.2, 0.2, 64)
    i_ua = chip.mvm(v_in)
    g = chip.array.conductance_us().reshape(64, 128)
    ideal = v_in @ (g[:, 0::2] - g[:, 1::2])
    limits = chip.info().limits
    adc_lsb = limits.i_full_scale_ua / (2 ** (limits.mvm_adc_bits - 1) - 1)
    assert i_ua.shape == (64,)
    assert np.abs(i_ua - ideal).max() < 2 * adc_lsb + 1.0  # ADC step, DAC step and read noise
    assert np.corrcoef(i_ua, ideal)[0, 1] > 0.999
    with pytest.raises(LimitError, match="within"):
        chip.mvm(np.full(64, 0.6))
    with pytest.raises(AddressError, match="even"):
        chip.mvm(v_in, col=1, n_pairs=2)


def test_time_and_temperature() -> None:
    chip = SimChip(seed=7)
    start = chip.now_s
    assert chip.advance_time(10.0) == pytest.approx(start + 10.0)
    chip.set_temperature(358.15)
    assert chip.array.temperature_k == 358.15
    with pytest.raises(ValueError, match="non-negative"):
        chip.advance_time(-1.0)
    with pytest.raises(ValueError, match="outside"):
        chip.set_temperature(-5.0)


def test_stuck_fault_injection() -> None:
    chip = SimChip(8, 8, seed=8)
    chip.inject_stuck(np.array([1, 2]), np.array([3, 4]), 7.5)
    chip.pulse(ROWS[:8, :8], COLS[:8, :8], 2.5, 1e-6)
    assert np.allclose(chip.read(np.array([1, 2]), np.array([3, 4]), n_reads=64), 7.5, atol=0.1)


class PulseAndReadOnly(Chip):
    """A bare backend implementing only the two mandatory hooks."""

    def __init__(self) -> None:
        self.g = np.full((4, 4), 10.0)

    def info(self) -> ChipCapabilities:
        return ChipCapabilities(
            "bare",
            "test",
            4,
            4,
            REFERENCE_LIMITS,
            frozenset({Operation.READ, Operation.PULSE}),
            False,
        )

    def _read(self, rows, cols, n_reads, n_discard):
        return self.g[rows, cols]

    def _pulse(self, rows, cols, v, width_s):
        self.g[rows, cols] += np.sign(v)


def test_unsupported_operations_say_what_is_supported() -> None:
    with PulseAndReadOnly() as chip:
        chip.pulse(np.array([0]), np.array([0]), 1.0, 1e-6)
        assert chip.read(np.array([0]), np.array([0]))[0] == 11.0
        for call in (
            lambda: chip.program(np.array([0]), np.array([0]), 5.0, 1.0),
            lambda: chip.mvm(np.zeros(4)),
            lambda: chip.advance_time(1.0),
            lambda: chip.set_temperature(300.0),
        ):
            with pytest.raises(UnsupportedOperation, match=r"supports \['pulse', 'read'\]"):
                call()
