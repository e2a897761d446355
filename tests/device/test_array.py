"""Behaviour of the cell-array model: each property the issue asks for, checked by numbers."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from scipy import stats

from hil.device import CellArray, DeviceParams, arrhenius_factor, cmo_optimistic, levy_tech_c
from hil.device.array import ALL
from hil.device.converters import signed_converter, unsigned_adc
from hil.device.params import preset


def written(n: int = 4000, g_us: float = 20.0, seed: int = 0, **params) -> CellArray:
    """An array whose non-stuck cells were just written to exactly `g_us` (p_stuck = 0)."""
    array = CellArray(1, n, DeviceParams(p_stuck=0.0, **params), seed=seed, initial_g_us=g_us)
    return array


def test_same_seed_same_numbers_different_seed_different() -> None:
    def run(seed: int) -> np.ndarray:
        array = CellArray(8, 8, seed=seed)
        array.pulse(ALL, 1.8, 1e-6)
        array.advance(10.0)
        return array.read()

    assert np.array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_device_to_device_spread_follows_dm61() -> None:
    cells = CellArray(100, 100, seed=1).cells
    assert np.std(np.log(cells.g_max_us)) == pytest.approx(0.10, rel=0.05)
    assert np.std(cells.v_set_threshold_v) == pytest.approx(0.10, rel=0.05)
    assert np.std(np.log(cells.step_multiplier)) == pytest.approx(0.5, rel=0.05)
    assert np.mean(cells.relax_multiplier) == pytest.approx(1.0, rel=0.05)  # mean-1 lognormal
    assert stats.kurtosis(cells.relax_multiplier) > 5  # heavy tail
    assert np.mean(cells.stuck) == pytest.approx(0.005, abs=0.002)


def test_pulses_below_threshold_and_reads_never_disturb() -> None:
    array = CellArray(10, 10, DeviceParams(v_threshold_sigma_v=0.0), seed=2, initial_g_us=15.0)
    before = array.conductance_us().copy()
    array.pulse(ALL, 1.29, 1e-6)  # just under the 1.3 V threshold
    array.pulse(ALL, -1.29, 1e-6)
    for _ in range(50):
        array.read()
    assert np.array_equal(array.conductance_us(), before)
    assert np.all(array.t_write_eff_s == 0)  # no cell was re-programmed


def test_set_raises_and_reset_lowers_with_soft_bounds() -> None:
    array = written(g_us=20.0, seed=3, sigma_c2c=0.0, sigma_write_g=0.0, v_threshold_sigma_v=0.0)
    g0 = array.conductance_us().copy()
    array.pulse(ALL, 1.6, 1e-6)
    g_set = array.conductance_us().copy()
    assert np.all(g_set > g0)
    array.pulse(ALL, -1.6, 1e-6)
    assert np.all(array.conductance_us() < g_set)
    # Soft bound: the same SET pulse moves a low cell further than a high one.
    low = written(g_us=5.0, seed=3, sigma_c2c=0.0, sigma_write_g=0.0, abrupt_set=False)
    high = written(g_us=35.0, seed=3, sigma_c2c=0.0, sigma_write_g=0.0, abrupt_set=False)
    low_start, high_start = low.conductance_us().copy(), high.conductance_us().copy()
    low.pulse(ALL, 1.6, 1e-6)
    high.pulse(ALL, 1.6, 1e-6)
    assert np.median(low.conductance_us() - low_start) > 3 * np.median(
        high.conductance_us() - high_start
    )


def test_step_grows_with_amplitude_and_width() -> None:
    def median_step(v: float, width_s: float) -> float:
        array = written(g_us=10.0, seed=4, sigma_c2c=0.0, sigma_write_g=0.0, abrupt_set=False)
        start = array.conductance_us().copy()
        array.pulse(ALL, v, width_s)
        return float(np.median(array.conductance_us() - start))

    assert median_step(1.6, 1e-6) > 2 * median_step(1.5, 1e-6)
    # Width exponent 0.5: 4x the width, 2x the step (where the window barely changes).
    ratio = median_step(1.45, 4e-6) / median_step(1.45, 1e-6)
    assert ratio == pytest.approx(2.0, rel=0.15)


def test_abrupt_set_from_the_lowest_states() -> None:
    params = dict(
        sigma_c2c=0.0, sigma_write_g=0.0, v_threshold_sigma_v=0.0, step_sigma=0.0, relax_sigma=0.0
    )

    def jumped_fraction(**changes) -> float:
        array = written(n=20000, g_us=1.0, seed=5, **params, **changes)
        array.pulse(ALL, 1.45, 1e-6)  # u = 1.5: a gradual step is only 0.02 (e^1.5 - 1) = 0.07
        state = (array.conductance_us() - 1.0) / (array.cells.g_max_us - 1.0)
        return float(np.mean(state > 0.3))

    # P(abrupt) = 1.0 * (1 - exp(-1.5)) = 0.777 (DM6.2 with the probability scale raised to 1).
    assert jumped_fraction(abrupt_probability=1.0) == pytest.approx(1 - np.exp(-1.5), abs=0.02)
    assert jumped_fraction(abrupt_set=False) == 0.0


def test_relaxation_follows_one_path_and_reprogramming_resets_it() -> None:
    array = written(n=20000, g_us=20.0, seed=6)
    array.pulse(ALL, 1.45, 1e-6)  # a real write: starts every cell's clock
    g0 = array.conductance_us().copy()
    array.advance(1.0)
    g1 = array.conductance_us().copy()
    assert np.array_equal(array.conductance_us(), g1)  # re-reading at the same time: same state
    array.advance(99.0)
    g100 = array.conductance_us().copy()
    # Brownian in L: increments are independent, so Var(g100 - g0) = Var(g1 - g0) + Var(g100 - g1)
    # and the two segments are uncorrelated (two independent draws would correlate at -0.5 here).
    first, second = g1 - g0, g100 - g1
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.05
    tau = array.params.relax_tau_s
    expected = np.log1p(100 / tau) / np.log1p(1 / tau)
    assert np.var(g100 - g0) / np.var(first) == pytest.approx(expected, rel=0.1)
    # Re-programming restarts the clock: fresh fast relaxation again.
    array.pulse(ALL, 1.45, 1e-6)
    g_new = array.conductance_us().copy()
    array.advance(1.0)
    assert np.std(array.conductance_us() - g_new) == pytest.approx(np.std(first), rel=0.1)


def test_arrhenius_bake_accelerates_relaxation() -> None:
    params = levy_tech_c()
    # 85 C for 1 h is about 76 days at 27 C (DM6.3).
    factor = arrhenius_factor(params, 358.15) / arrhenius_factor(params, 300.15)
    assert factor * 3600 / 86400 == pytest.approx(76, rel=0.15)
    hot, cold = written(g_us=20.0, seed=7), written(g_us=20.0, seed=7)
    for array in (hot, cold):
        array.pulse(ALL, 1.45, 1e-6)
    start_hot, start_cold = hot.conductance_us().copy(), cold.conductance_us().copy()
    hot.advance(3600.0, temperature_k=358.15)
    cold.advance(3600.0)
    ratio = np.std(hot.conductance_us() - start_hot) / np.std(cold.conductance_us() - start_cold)
    t_eff_s = 3600.0 * arrhenius_factor(params, 358.15)
    tau = params.relax_tau_s
    assert ratio == pytest.approx(np.sqrt(np.log1p(t_eff_s / tau) / np.log1p(3600 / tau)), rel=0.05)
    assert ratio > 1.2


def test_read_noise_and_averaging() -> None:
    array = written(n=20000, g_us=30.0, seed=8)
    truth = array.conductance_us().copy()
    one = array.read(ALL, 1) - truth
    sixteen = array.read(ALL, 16) - truth
    p = array.params
    expected = np.sqrt(p.read_noise_us**2 + (p.read_noise_rel * truth) ** 2)
    assert np.std(one) == pytest.approx(np.mean(expected), rel=0.05)
    assert np.std(sixteen) == pytest.approx(np.mean(expected) / 4, rel=0.08)


def test_stuck_cells_never_move() -> None:
    array = CellArray(50, 50, DeviceParams(p_stuck=0.2), seed=9)
    stuck = array.cells.stuck
    before = array.conductance_us()[stuck].copy()
    array.pulse(ALL, 2.5, 1e-6)
    array.pulse(ALL, -2.5, 1e-6)
    array.advance(1e4)
    assert np.array_equal(array.conductance_us()[stuck], before)
    at_min = np.isclose(before, array.params.g_min_us)
    assert 0.35 < at_min.mean() < 0.65  # half at G_min, half at a random value


def test_mvm_linear_and_sinh_iv() -> None:
    linear = written(n=256, g_us=10.0, seed=10, read_noise_us=0.0, read_noise_rel=0.0)
    linear.rows, linear.cols = 4, 64  # reshape the 256 cells as 4 x 64 for the MVM
    g = linear.conductance_us().reshape(4, 64)
    v = np.array([0.1, -0.05, 0.2, 0.0], dtype=np.float32)
    expected = v @ (g[:, 0::2] - g[:, 1::2])
    assert np.allclose(linear.mvm(v, 0, 0, 32), expected, atol=1e-4)
    nonlinear = CellArray(1, 2, DeviceParams(iv_nonlinear=True, read_noise_us=0, read_noise_rel=0))
    nonlinear.g_prog_us[:] = [30.0, 10.0]
    nonlinear._relaxation_coefficients(ALL)
    at_read = nonlinear.mvm(np.array([0.2]), 0, 0, 1)
    at_max = nonlinear.mvm(np.array([0.4]), 0, 0, 1)
    assert at_read[0] == pytest.approx(20.0 * 0.2, rel=1e-4)  # exact at V_r by construction
    b = 2.7
    assert at_max[0] == pytest.approx(20.0 * 0.2 * np.sinh(b * 0.4) / np.sinh(b * 0.2), rel=1e-4)


def test_state_fits_in_200_bytes_per_cell() -> None:
    assert CellArray(32, 32).state_bytes_per_cell() < 200


@pytest.mark.parametrize("name", ["levy-tech-c", "cmo-optimistic"])
def test_params_round_trip_json_and_hdf5(name: str, tmp_path) -> None:
    params = preset(name)
    assert DeviceParams.from_json(params.to_json()) == params
    with h5py.File(tmp_path / "p.h5", "w") as handle:
        params.to_hdf5_attrs(handle.attrs)
    with h5py.File(tmp_path / "p.h5", "r") as handle:
        assert DeviceParams.from_hdf5_attrs(handle.attrs) == params


def test_cmo_preset_reproduces_its_law() -> None:
    """aihwkit CMO: sigma(t) = 0.042 ln t + 0.41 uS; check at 1 s and 1 day (+-10 %)."""
    p = cmo_optimistic()
    for t_s in (1.0, 86_400.0):
        sigma = np.sqrt(p.relax_k_us2[0] * np.log1p(t_s / p.relax_tau_s))
        assert sigma == pytest.approx(0.042 * np.log(t_s) + 0.41, rel=0.10)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"g_min_us": 50.0}, "g_min_us < g_max_us"),
        ({"relax_k_us2": (1.0, 2.0)}, "equal length"),
        ({"relax_tau_s": 0.0}, "relax_tau_s must be positive"),
        ({"p_stuck": 1.5}, "p_stuck must be a probability"),
    ],
)
def test_bad_parameters_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeviceParams(**change)
    with pytest.raises(ValueError, match="unknown device parameters"):
        DeviceParams.from_dict({"g_mni_us": 1.0})
    with pytest.raises(ValueError, match="unknown device preset 'tech-z'"):
        preset("tech-z")


def test_converters_quantise_and_saturate() -> None:
    lsb = 50.0 / 4095
    g = unsigned_adc(np.array([-1.0, 0.004, 0.007, 20.0, 80.0]), 50.0, 12)
    assert np.allclose(g, [0.0, 0.0, lsb, round(20.0 / lsb) * lsb, 50.0], atol=1e-6)
    v = signed_converter(np.array([-0.9, -0.1, 0.0011, 0.25]), 0.5, 8)
    step = 0.5 / 127
    assert np.allclose(v, [-0.5, round(-0.1 / step) * step, 0.0, round(0.25 / step) * step])
    assert len(np.unique(signed_converter(np.linspace(-1, 1, 10001), 1.0, 8))) == 255
