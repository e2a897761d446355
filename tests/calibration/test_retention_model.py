"""RetentionModel: moments, sampling, persistence, conversion to and from the device model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from calibration.retention import (
    RetentionModel,
    from_device_params,
    load_model,
    to_device_params,
)
from calibration.retention.export import cmo_form, power_law, snapshot_polynomials
from hil.backends.sim import SimChip
from hil.device.params import DeviceParams, cmo_optimistic


def flat_model(**changes) -> RetentionModel:
    base = RetentionModel(
        g_grid_us=(5.0, 20.0),
        a_us=(-0.1, -0.1),
        k_us2=(0.8, 0.8),
        tau_s=(5e-3, 5e-3),
        s0_us=(0.1, 0.1),
    )
    return base.replace(**changes)


def test_moments_follow_the_log_time_law_and_broadcast() -> None:
    model = flat_model()
    mean, sd = model.moments(np.array([10.0, 20.0]), np.array([[1.0], [1e5]]))
    assert mean.shape == sd.shape == (2, 2)
    ell = np.log1p(np.array([1.0, 1e5]) / 5e-3)
    np.testing.assert_allclose(mean[:, 0], 10.0 - 0.1 * ell)
    np.testing.assert_allclose(sd[:, 1], np.sqrt(0.01 + 0.8 * ell))


def test_nan_conductance_gives_nan_moments() -> None:
    mean, sd = flat_model().moments(np.array([np.nan, 10.0]), 1.0)
    assert np.isnan(mean[0]) and np.isnan(sd[0]) and np.isfinite(mean[1])


def test_device_model_relaxation_matches_the_levy_table() -> None:
    model = from_device_params()
    mean, sd = model.moments(10.0, 1.0)  # DM6.3 sanity check: sd(1 s) at 10 uS ~ 2.0 uS
    assert sd == pytest.approx(np.sqrt(0.75 * np.log1p(1 / 5e-3) + 0.05**2 + 0.1**2), rel=1e-4)
    assert mean == pytest.approx(10 - 0.04 * np.log1p(200))


@pytest.mark.parametrize("tail", ["gaussian", "nlnv", "student"])
def test_samples_have_the_moments_and_the_tail(tail: str) -> None:
    param = {"gaussian": 0.0, "nlnv": 0.9, "student": 7.0}[tail]
    model = flat_model(tail=tail, tail_param=param)
    g = model.sample(np.full(400_000, 20.0), 100.0, np.random.default_rng(3))
    mean, sd = model.moments(20.0, 100.0)
    assert g.mean() == pytest.approx(mean, abs=0.01)
    assert g.std() == pytest.approx(sd, rel=0.01)
    z = (g - mean) / sd
    kurtosis = np.mean(z**4) - 3
    share = (0.8 * np.log1p(100 / 5e-3) / sd**2) ** 2  # relaxation share of the 4th cumulant
    # sample kurtosis of a lognormal scale mixture converges slowly (and from below)
    assert kurtosis == pytest.approx(model.excess_kurtosis() * share, rel=0.2, abs=0.1)


def test_stuck_cells_sit_at_their_values() -> None:
    model = flat_model(p_stuck=0.2, stuck_values_us=(1.0, 1.0, 1.0), stuck_bandwidth_us=0.0)
    g = model.sample(np.full(100_000, 20.0), 1e4, np.random.default_rng(0))
    assert np.mean(g == 1.0) == pytest.approx(0.2, abs=0.01)


def test_json_and_hdf5_round_trip(tmp_path: Path) -> None:
    model = from_device_params().replace(provenance={"ci": {"a_us": [[1.0], [2.0]]}})
    assert load_model(model.save(tmp_path / "m.json")) == model
    assert load_model(model.save(tmp_path / "m.h5")) == model
    with pytest.raises(ValueError, match="no fitted retention model"):
        import h5py

        h5py.File(tmp_path / "empty.h5", "w").close()
        load_model(tmp_path / "empty.h5")
    with pytest.raises(ValueError, match="unknown retention-model fields"):
        RetentionModel.from_dict({**model.to_dict(), "bogus": 1})


def test_invalid_models_are_refused() -> None:
    with pytest.raises(ValueError, match="increase"):
        flat_model(g_grid_us=(20.0, 5.0))
    with pytest.raises(ValueError, match="degrees of freedom"):
        flat_model(tail="student", tail_param=2.0)


def test_device_params_round_trip_exactly() -> None:
    for params in (DeviceParams(), cmo_optimistic()):
        assert to_device_params(from_device_params(params), params) == params


def test_per_level_tau_is_re_expressed_at_one_tau() -> None:
    model = flat_model(tau_s=(1e-4, 3e-2))
    params = to_device_params(model)
    again = from_device_params(params)
    t = np.logspace(1, 5, 5)  # one tau cannot follow onsets 300x apart below ~10 s
    for g in (5.0, 20.0):
        _, sd = model.moments(g, t)
        _, sd2 = again.moments(g, t)
        assert np.max(np.abs(sd2 / sd - 1)) < 0.1


def test_simchip_default_is_unchanged_and_retention_hook_drives_it() -> None:
    plain = SimChip(8, 8, seed=4)
    same = SimChip(8, 8, seed=4, retention=from_device_params())
    assert plain.params == same.params
    model = flat_model(a_us=(-0.5, -0.5), k_us2=(0.05, 0.05), tail="gaussian")
    chip = SimChip(64, 64, seed=1, retention=model)
    assert chip.params.relax_tau_s == 5e-3 and chip.params.relax_sigma == 0.0
    rows, cols = np.meshgrid(np.arange(64), np.arange(64), indexing="ij")
    chip.program(rows, cols, 20.0, 0.5)
    g0 = chip.read_block()
    chip.advance_time(1e4)
    drift = chip.read_block() - g0
    working = np.abs(g0 - 20.0) < 0.6
    expected = -0.5 * (np.log1p(1e4 / 5e-3))
    assert np.median(drift[working]) == pytest.approx(expected, rel=0.05)


def test_exporters_reproduce_the_model_moments() -> None:
    model = from_device_params(cmo_optimistic())
    cmo = cmo_form(model)
    assert cmo["c_m_us"] == pytest.approx(-0.089, rel=0.02)  # the CMO law the preset encodes
    law = power_law(model)
    i = law["g_lst"].index(20.0)
    mean, _ = model.moments(20.0, 1e4)
    predicted = 20.0 * (1 + 1e4 / law["t0_s"]) ** -law["nu_mean_lst"][i]
    assert predicted == pytest.approx(mean, rel=0.01)
    poly = snapshot_polynomials(model)
    _, sd = model.moments(20.0, 86400.0)
    c = poly["coeff_dic"]["86400"]
    assert np.polynomial.polynomial.polyval(20.0 / poly["g_max_us"], c) == pytest.approx(
        sd, rel=0.02
    )
