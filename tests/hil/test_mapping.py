"""Weights <-> differential conductance pairs: round trips, window bounds, tiling, stuck cells."""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hil.mapping import (
    CONTINUOUS_MATCH_TOL_US,
    BalancedPair,
    FaultMap,
    MappedWeights,
    MappingConfig,
    MappingParams,
    Placement,
    Scheme,
    SignPair,
    TileSlot,
    conv_to_matrix,
    map_weights,
    matrix_to_conv,
    plan_tiles,
    tile,
    unmap,
    untile,
)

SCHEMES = list(Scheme)
GRANULARITIES = ["per_tensor", "per_column"]
PROPERTY = settings(max_examples=40, deadline=None)

# Weights of realistic magnitude: exact zeros or |w| in [1e-9, 1e3]. Denormal-scale tensors would
# only test float underflow, not the mapping.
WEIGHT_VALUES = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False).map(
    lambda x: 0.0 if abs(x) < 1e-9 else x
)


@st.composite
def weight_matrices(draw: st.DrawFn, max_side: int = 8) -> np.ndarray:
    shape = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    return draw(hnp.arrays(np.float64, shape, elements=WEIGHT_VALUES))


@st.composite
def windows(draw: st.DrawFn) -> dict[str, float]:
    g_min_us = draw(st.floats(0.0, 5.0))
    return {"g_min_us": g_min_us, "g_max_us": g_min_us + draw(st.floats(1.0, 100.0))}


@st.composite
def configs(draw: st.DrawFn) -> MappingConfig:
    return MappingConfig(
        scheme=draw(st.sampled_from(SCHEMES)),
        granularity=draw(st.sampled_from(GRANULARITIES)),
        clip_percentile=draw(st.none() | st.floats(1.0, 100.0)),
        n_levels=draw(st.none() | st.integers(2, 300)),
        range_shrink=draw(st.floats(0.05, 1.0)),
        **draw(windows()),
    )


def read_back(mapped: MappedWeights) -> np.ndarray:
    """Ideal programming: the target conductances are what the chip reads."""
    return unmap(mapped.g_plus_us, mapped.g_minus_us, mapped)


def column_clip(w: np.ndarray, granularity: str, percentile: float | None) -> np.ndarray:
    """Expected clip value per column, computed independently of the module."""
    axis = 0 if granularity == "per_column" else None
    magnitude = np.abs(w)
    clip = (
        magnitude.max(axis=axis)
        if percentile is None
        else np.percentile(magnitude, percentile, axis=axis)
    )
    return np.broadcast_to(clip, (w.shape[1],))


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
@PROPERTY
@given(w=weight_matrices(), window=windows(), shrink=st.floats(0.05, 1.0))
def test_continuous_round_trip_is_identity(
    scheme: Scheme, granularity: str, w: np.ndarray, window: dict[str, float], shrink: float
) -> None:
    config = MappingConfig(scheme=scheme, granularity=granularity, range_shrink=shrink, **window)
    mapped = map_weights(w, config)
    error = np.abs(read_back(mapped) - w).max()
    # For an all-zero matrix the bound is 0: the fallback scale must reproduce exact zeros.
    assert error <= 1e-9 * np.abs(w).max()
    assert not mapped.unplaceable.any()
    assert np.array_equal(mapped.residual, np.zeros_like(w))
    assert mapped.shape == w.shape


@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
@PROPERTY
@given(w=weight_matrices(), n_levels=st.integers(2, 300), shrink=st.floats(0.05, 1.0))
def test_quantised_round_trip_within_half_a_step(
    scheme: Scheme, granularity: str, w: np.ndarray, n_levels: int, shrink: float
) -> None:
    config = MappingConfig(
        scheme=scheme, granularity=granularity, n_levels=n_levels, range_shrink=shrink
    )
    mapped = map_weights(w, config)
    w_back = read_back(mapped)
    clip = column_clip(w, granularity, None)
    half_step = clip / (n_levels - 1)  # the grid spans [-clip, clip] in n_levels values
    eps = 1e-9 * np.abs(w).max()
    assert np.all(np.abs(w_back - w) <= half_step + eps)
    # The read-back weights sit on the grid: (w/clip + 1) * (n - 1) / 2 is an integer in [0, n).
    nonzero = clip > 0
    level = (w_back[:, nonzero] / clip[nonzero] + 1.0) * (n_levels - 1) / 2
    assert np.allclose(level, np.rint(level), atol=1e-6)
    assert np.all((level >= -1e-6) & (level <= n_levels - 1 + 1e-6))


@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
@PROPERTY
@given(w=weight_matrices(), percentile=st.floats(1.0, 100.0))
def test_clipped_round_trip(
    scheme: Scheme, granularity: str, w: np.ndarray, percentile: float
) -> None:
    config = MappingConfig(scheme=scheme, granularity=granularity, clip_percentile=percentile)
    mapped = map_weights(w, config)
    clip = column_clip(w, granularity, percentile)
    assert np.allclose(mapped.clip_values, clip, rtol=1e-12, atol=0)
    w_back = read_back(mapped)
    tol = 1e-9 * np.abs(w).max()
    kept = np.abs(w) <= clip
    assert np.all(np.abs(w_back - w)[kept] <= tol)
    expected_clipped = (np.sign(w) * clip)[~kept]
    assert np.all(np.abs(w_back[~kept] - expected_clipped) <= tol)


def test_percentile_clip_concrete() -> None:
    w = np.arange(11.0).reshape(11, 1)  # |w| = 0..10; the linear 90th percentile is 9
    mapped = map_weights(w, MappingConfig(clip_percentile=90.0))
    assert mapped.clip_values.tolist() == [9.0]
    w_back = read_back(mapped)[:, 0]
    assert np.allclose(w_back, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("n_levels", "expected"),
    [
        (3, [-1.0, 0.0, 0.0, 1.0, 1.0]),  # grid {-1, 0, 1}
        (2, [-1.0, -1.0, 1.0, 1.0, 1.0]),  # binary: no zero level
        (5, [-1.0, -0.5, 0.0, 0.5, 1.0]),  # grid {-1, -0.5, 0, 0.5, 1}
    ],
)
def test_quantisation_levels_concrete(n_levels: int, expected: list[float]) -> None:
    w = np.array([[-1.0, -0.4, 0.2, 0.6, 1.0]]).T  # clip value 1: the grid is in weight units
    mapped = map_weights(w, MappingConfig(n_levels=n_levels))
    assert np.allclose(read_back(mapped)[:, 0], expected, rtol=0, atol=1e-12)


def test_unmap_works_on_measured_conductances() -> None:
    w = np.array([[0.5, -2.0], [1.0, 4.0]])
    for scheme in SCHEMES:
        mapped = map_weights(w, MappingConfig(scheme=scheme, granularity="per_column"))
        # A drift of +0.5 uS on every G+ shifts each weight by 0.5 uS times its column's scale.
        shifted = unmap(mapped.g_plus_us + 0.5, mapped.g_minus_us, mapped)
        assert np.allclose(shifted - w, 0.5 * mapped.scales, rtol=0, atol=1e-12)
        assert np.allclose(mapped.scales, [1.0 / 39.0, 4.0 / 39.0], rtol=1e-14)
        # Common-mode drift of a pair cancels.
        common = unmap(mapped.g_plus_us + 0.7, mapped.g_minus_us + 0.7, mapped.params)
        assert np.allclose(common, w, rtol=0, atol=1e-12)


def test_params_json_round_trip_reads_back_the_same_weights() -> None:
    w = np.array([[0.3, -0.2, 0.0], [-1.5, 0.25, 0.0]])
    config = MappingConfig(scheme=Scheme.BALANCED, granularity="per_column", n_levels=17)
    mapped = map_weights(w, config)
    stored = json.loads(json.dumps(mapped.params.to_dict()))
    params = MappingParams.from_dict(stored)
    assert params.config == config and params.shape == (2, 3)
    g_plus, g_minus = mapped.g_plus_us + 0.1, mapped.g_minus_us
    assert np.array_equal(unmap(g_plus, g_minus, params), unmap(g_plus, g_minus, mapped))


# --------------------------------------------------------------------------------------------
# Scheme placement and the device window
# --------------------------------------------------------------------------------------------


def test_sign_scheme_concrete() -> None:
    mapped = map_weights(np.array([[2.0, -1.0, 0.0]]))  # default: SIGN, 1-40 uS, per tensor
    assert mapped.g_plus_us.tolist() == [[40.0, 1.0, 1.0]]
    assert mapped.g_minus_us.tolist() == [[1.0, 20.5, 1.0]]
    assert np.allclose(mapped.scales, 2.0 / 39.0, rtol=1e-15)


def test_balanced_scheme_concrete() -> None:
    mapped = map_weights(np.array([[2.0, -1.0, 0.0]]), MappingConfig(scheme=Scheme.BALANCED))
    assert np.allclose(mapped.g_plus_us, [[40.0, 10.75, 20.5]], rtol=0, atol=1e-12)
    assert np.allclose(mapped.g_minus_us, [[1.0, 30.25, 20.5]], rtol=0, atol=1e-12)


def test_per_column_scales_concrete() -> None:
    w = np.array([[1.0, 10.0], [-0.5, -5.0]])
    mapped = map_weights(w, MappingConfig(granularity="per_column"))
    assert np.allclose(mapped.scales, [1.0 / 39.0, 10.0 / 39.0], rtol=1e-15)
    # Both columns use the full window, so their conductances coincide.
    assert np.allclose(mapped.g_plus_us[:, 0], mapped.g_plus_us[:, 1], rtol=0, atol=1e-12)
    assert np.allclose(mapped.g_plus_us[:, 0], [40.0, 1.0], rtol=0, atol=1e-12)
    assert np.allclose(mapped.g_minus_us[:, 0], [1.0, 20.5], rtol=0, atol=1e-12)
    per_tensor = map_weights(w, MappingConfig())
    assert np.allclose(per_tensor.g_plus_us[:, 0], [1.0 + 3.9, 1.0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("n_levels", [None, 2, 3, 4])
@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
def test_all_zero_weights_sit_at_the_zero_point(scheme: Scheme, n_levels: int | None) -> None:
    config = MappingConfig(scheme=scheme, granularity="per_column", n_levels=n_levels)
    mapped = map_weights(np.zeros((3, 4)), config)
    zero_point = 1.0 if scheme is Scheme.SIGN else 20.5
    assert np.all(mapped.g_plus_us == zero_point) and np.all(mapped.g_minus_us == zero_point)
    assert mapped.scales.tolist() == [1.0] * 4
    assert np.array_equal(read_back(mapped), np.zeros((3, 4)))


def test_zero_column_in_per_column_mapping() -> None:
    w = np.array([[1.0, 0.0], [-3.0, 0.0]])
    mapped = map_weights(w, MappingConfig(granularity="per_column", n_levels=4))
    assert mapped.scales[1] == 1.0 and mapped.clip_values.tolist() == [3.0, 0.0]
    assert np.array_equal(read_back(mapped)[:, 1], [0.0, 0.0])


@PROPERTY
@given(w=weight_matrices(), config=configs())
def test_mapped_conductances_stay_in_the_window(w: np.ndarray, config: MappingConfig) -> None:
    mapped = map_weights(w, config)
    g_min, g_max = config.g_min_us, config.g_max_us
    for g_us in (mapped.g_plus_us, mapped.g_minus_us):
        assert g_us.min() >= g_min and g_us.max() <= g_max
    # The shrink factor leaves headroom: only the scheme's shrunk range is used.
    span = config.range_shrink * (g_max - g_min)
    if config.scheme is Scheme.SIGN:
        low, high = g_min, g_min + span
        assert np.all(np.minimum(mapped.g_plus_us, mapped.g_minus_us) == g_min)
    else:
        mid = 0.5 * (g_min + g_max)
        low, high = mid - span / 2, mid + span / 2
        assert np.allclose(mapped.g_plus_us + mapped.g_minus_us, 2 * mid, rtol=0, atol=1e-9)
    slack = 1e-12 * g_max
    for g_us in (mapped.g_plus_us, mapped.g_minus_us):
        assert g_us.min() >= low - slack and g_us.max() <= high + slack


def test_scheme_classes_convert_back() -> None:
    d_us = np.array([-39.0, -10.0, 0.0, 5.0, 39.0])
    for scheme in (SignPair(), BalancedPair()):
        g_plus, g_minus = scheme.convert_to_conductances(d_us)
        assert np.allclose(scheme.convert_back_to_differences(g_plus, g_minus), d_us, atol=1e-12)
    assert BalancedPair(2.0, 10.0).g_mid_us == 6.0
    assert SignPair(2.0, 10.0).max_difference_us == 8.0


# --------------------------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------------------------


@PROPERTY
@given(config=configs())
def test_config_json_round_trip(config: MappingConfig) -> None:
    data = json.loads(json.dumps(config.to_dict()))
    assert data["scheme"] == config.scheme.name
    assert MappingConfig.from_dict(data) == config


def test_config_accepts_scheme_name_and_defaults() -> None:
    config = MappingConfig(scheme="BALANCED")
    assert config.scheme is Scheme.BALANCED
    assert (config.g_min_us, config.g_max_us, config.range_shrink) == (1.0, 40.0, 1.0)
    assert MappingConfig.from_dict({}) == MappingConfig()
    assert MappingConfig(range_shrink=0.5).max_difference_us == 19.5
    assert MappingConfig(n_levels=3).level_step_us == 39.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"g_min_us": 40.0, "g_max_us": 40.0}, r"g_min_us \(40.0\) must be < g_max_us \(40.0\)"),
        ({"g_min_us": 50.0}, "must be < g_max_us"),
        ({"g_min_us": -1.0}, "g_min_us must be >= 0"),
        ({"g_max_us": float("nan")}, "g_max_us must be finite"),
        ({"g_max_us": "40"}, "g_max_us must be a real number"),
        ({"range_shrink": 0.0}, r"range_shrink must be in \(0, 1\], got 0.0"),
        ({"range_shrink": 1.5}, r"range_shrink must be in \(0, 1\]"),
        ({"n_levels": 1}, "n_levels must be >= 2, got 1"),
        ({"n_levels": 2.5}, "n_levels must be an integer"),
        ({"n_levels": True}, "n_levels must be an integer"),
        ({"clip_percentile": 0.0}, r"clip_percentile must be in \(0, 100\]"),
        ({"clip_percentile": 100.5}, r"clip_percentile must be in \(0, 100\]"),
        ({"granularity": "per_row"}, "granularity must be 'per_tensor' or 'per_column'"),
        ({"scheme": "OFFSET"}, "unknown scheme 'OFFSET'; expected one of SIGN, BALANCED"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MappingConfig(**kwargs)


def test_config_from_dict_rejects_unknown_keys() -> None:
    data = MappingConfig().to_dict() | {"g_mid_us": 20.5}
    with pytest.raises(ValueError, match=r"unknown MappingConfig keys: \['g_mid_us'\]"):
        MappingConfig.from_dict(data)
    with pytest.raises(ValueError, match="unknown scheme 'sign'"):
        MappingConfig.from_dict({"scheme": "sign"})  # stored by name, not value


def test_params_from_dict_rejects_unknown_keys() -> None:
    data = map_weights(np.ones((2, 2))).params.to_dict() | {"extra": 1}
    with pytest.raises(ValueError, match=r"unknown \['extra'\]"):
        MappingParams.from_dict(data)


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _with(values: list[float], n_rows: int = 2) -> np.ndarray:
    w = np.ones((n_rows, len(values)))
    w[0] = values
    return w


@pytest.mark.parametrize(
    ("w", "message"),
    [
        (_with([np.nan, 1.0, np.nan, np.nan]), "weights contain 3 NaN values"),
        (_with([np.inf, -np.inf]), "weights contain 2 infinite values"),
        (
            np.ones(5),
            r"weights must be a 2-D matrix \(in_features, out_features\), got shape \(5,\)",
        ),
        (np.ones((2, 3, 4)), r"got shape \(2, 3, 4\)"),
        (np.ones(()), r"got shape \(\)"),
        (np.zeros((0, 3)), r"weights must not be empty, got shape \(0, 3\)"),
        (np.array([["a", "b"]]), "weights must be a real numeric array"),
        (np.array([[1 + 2j]]), "weights must be a real numeric array, got dtype complex128"),
        ([[1.0, 2.0], [3.0]], "weights must be a rectangular numeric array"),
    ],
)
def test_map_weights_rejects_bad_input(w: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        map_weights(w)


def test_unmap_rejects_bad_conductances() -> None:
    mapped = map_weights(np.ones((2, 3)))
    g_plus, g_minus = mapped.g_plus_us, mapped.g_minus_us
    bad = g_plus.copy()
    bad[0, 0] = -0.25
    with pytest.raises(ValueError, match=r"g_plus_us contain 1 negative conductances \(min -0.25"):
        unmap(bad, g_minus, mapped)
    bad = g_minus.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="g_minus_us contain 1 NaN values"):
        unmap(g_plus, bad, mapped)
    with pytest.raises(ValueError, match=r"g_minus_us has shape \(3, 2\) but .* shape \(2, 3\)"):
        unmap(g_plus, g_minus.T, mapped)
    with pytest.raises(ValueError, match="g_plus_us must be a 2-D matrix"):
        unmap(g_plus.ravel(), g_minus, mapped)


# --------------------------------------------------------------------------------------------
# Stuck cells
# --------------------------------------------------------------------------------------------


def faults_at(
    shape: tuple[int, int],
    plus: dict[tuple[int, int], float] | None = None,
    minus: dict[tuple[int, int], float] | None = None,
) -> FaultMap:
    stuck_plus, stuck_minus = np.zeros(shape, bool), np.zeros(shape, bool)
    plus_us, minus_us = np.full(shape, np.nan), np.full(shape, np.nan)
    for cell, value in (plus or {}).items():
        stuck_plus[cell], plus_us[cell] = True, value
    for cell, value in (minus or {}).items():
        stuck_minus[cell], minus_us[cell] = True, value
    return FaultMap(stuck_plus, stuck_minus, plus_us, minus_us)


# Default SIGN 1-40 uS mapping of these weights: scale 2/39 per uS, d = [39, 19.5, -19.5, 0] uS.
W_ROW = np.array([[2.0, 1.0, -1.0, 0.0]])
SCALE = 2.0 / 39.0


def test_stuck_plus_partner_adjusted_exactly() -> None:
    mapped = map_weights(W_ROW, faults=faults_at((1, 4), plus={(0, 1): 30.0, (0, 3): 7.0}))
    assert mapped.g_plus_us[0, 1] == 30.0 and mapped.g_minus_us[0, 1] == 10.5
    assert mapped.g_plus_us[0, 3] == 7.0 and mapped.g_minus_us[0, 3] == 7.0
    assert not mapped.unplaceable.any()
    assert np.allclose(read_back(mapped), W_ROW, rtol=0, atol=1e-12)


def test_stuck_minus_partner_adjusted_exactly() -> None:
    mapped = map_weights(W_ROW, faults=faults_at((1, 4), minus={(0, 2): 25.0}))
    assert mapped.g_minus_us[0, 2] == 25.0 and mapped.g_plus_us[0, 2] == 5.5
    assert not mapped.unplaceable.any()
    assert np.allclose(read_back(mapped), W_ROW, rtol=0, atol=1e-12)


def test_impossible_stuck_plus_is_reported_with_its_residual() -> None:
    # Target d = 39 uS, G+ stuck at 10 uS: the best partner is g_min = 1 uS, d = 9 uS.
    mapped = map_weights(W_ROW, faults=faults_at((1, 4), plus={(0, 0): 10.0}))
    assert mapped.unplaceable.tolist() == [[True, False, False, False]]
    assert mapped.g_minus_us[0, 0] == 1.0
    assert mapped.residual[0, 0] == pytest.approx(SCALE * (9.0 - 39.0), rel=1e-12)
    assert np.all(mapped.residual[0, 1:] == 0.0)
    assert read_back(mapped)[0, 0] == pytest.approx(2.0 + mapped.residual[0, 0], rel=1e-12)


def test_stuck_above_the_window_clips_the_partner_at_g_max() -> None:
    # d = -19.5 uS with G- stuck at 60 uS (out of window): G+ would need 40.5, gets 40.
    mapped = map_weights(W_ROW, faults=faults_at((1, 4), minus={(0, 2): 60.0}))
    assert mapped.g_plus_us[0, 2] == 40.0 and mapped.g_minus_us[0, 2] == 60.0
    assert mapped.unplaceable.tolist() == [[False, False, True, False]]
    assert mapped.residual[0, 2] == pytest.approx(SCALE * -0.5, rel=1e-12)


def test_both_stuck() -> None:
    faults = faults_at(
        (1, 4),
        plus={(0, 1): 21.0, (0, 2): 5.0},
        minus={(0, 1): 1.5, (0, 2): 5.0},
    )
    mapped = map_weights(W_ROW, faults=faults)
    # (0, 1): 21 - 1.5 = 19.5 uS matches d by luck; (0, 2): 0 uS instead of -19.5 uS.
    assert mapped.unplaceable.tolist() == [[False, False, True, False]]
    assert mapped.residual[0, 2] == pytest.approx(SCALE * 19.5, rel=1e-12)
    assert (mapped.g_plus_us[0, 1], mapped.g_minus_us[0, 1]) == (21.0, 1.5)


def test_both_stuck_match_within_half_a_level_step() -> None:
    # 3 levels: d in {-39, 0, 39} uS, half step 19.5 uS; the weight 0 wants d = 0.
    config = MappingConfig(n_levels=3)
    near = map_weights(W_ROW, config, faults=faults_at((1, 4), {(0, 3): 15.0}, {(0, 3): 1.0}))
    far = map_weights(W_ROW, config, faults=faults_at((1, 4), {(0, 3): 25.0}, {(0, 3): 1.0}))
    assert not near.unplaceable[0, 3] and far.unplaceable[0, 3]
    assert near.residual[0, 3] == pytest.approx(SCALE * 14.0, rel=1e-12)
    assert config.match_tolerance_us == 19.5
    assert MappingConfig().match_tolerance_us == CONTINUOUS_MATCH_TOL_US


def test_empty_fault_map_changes_nothing() -> None:
    w = np.array([[0.5, -1.0], [2.0, 0.0]])
    clean = map_weights(w, MappingConfig(scheme=Scheme.BALANCED))
    faulty = map_weights(w, clean.config, faults=faults_at((2, 2)))
    assert np.array_equal(clean.g_plus_us, faulty.g_plus_us)
    assert np.array_equal(clean.g_minus_us, faulty.g_minus_us)
    assert not faulty.unplaceable.any() and not faulty.residual.any()


@st.composite
def faulty_cases(draw: st.DrawFn) -> tuple[np.ndarray, MappingConfig, FaultMap]:
    w = draw(weight_matrices(max_side=6))
    masks = hnp.arrays(np.bool_, w.shape)
    stuck_values = hnp.arrays(np.float64, w.shape, elements=st.floats(0.0, 60.0))
    faults = FaultMap(draw(masks), draw(masks), draw(stuck_values), draw(stuck_values))
    return w, draw(configs()), faults


@PROPERTY
@given(case=faulty_cases())
def test_fault_aware_mapping_properties(case: tuple[np.ndarray, MappingConfig, FaultMap]) -> None:
    w, config, faults = case
    ideal = map_weights(w, config)
    mapped = map_weights(w, config, faults=faults)
    # Stuck devices read their stuck value; every other device stays in the window.
    assert np.array_equal(
        mapped.g_plus_us[faults.stuck_plus], faults.stuck_plus_us[faults.stuck_plus]
    )
    assert np.array_equal(
        mapped.g_minus_us[faults.stuck_minus], faults.stuck_minus_us[faults.stuck_minus]
    )
    for g_us, stuck in (
        (mapped.g_plus_us, faults.stuck_plus),
        (mapped.g_minus_us, faults.stuck_minus),
    ):
        free = g_us[~stuck]
        assert np.all((free >= config.g_min_us) & (free <= config.g_max_us))
    # Fault-free pairs are untouched.
    healthy = ~(faults.stuck_plus | faults.stuck_minus)
    assert np.array_equal(mapped.g_plus_us[healthy], ideal.g_plus_us[healthy])
    # The report is consistent with what the chip would read.
    error_us = (mapped.g_plus_us - mapped.g_minus_us) - (ideal.g_plus_us - ideal.g_minus_us)
    assert np.array_equal(mapped.unplaceable, np.abs(error_us) > config.match_tolerance_us)
    assert np.allclose(mapped.residual, error_us * mapped.scales, rtol=1e-12, atol=0)
    tol = 1e-9 * max(np.abs(w).max(), 1.0)
    assert np.allclose(read_back(mapped), read_back(ideal) + mapped.residual, rtol=0, atol=tol)
    # A lone stuck device with a reachable partner is always placed.
    lone_plus = faults.stuck_plus & ~faults.stuck_minus
    d_us = ideal.g_plus_us - ideal.g_minus_us
    reachable = (faults.stuck_plus_us - d_us >= config.g_min_us) & (
        faults.stuck_plus_us - d_us <= config.g_max_us
    )
    assert not mapped.unplaceable[lone_plus & reachable].any()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: FaultMap(np.zeros((2, 2), bool), np.zeros((2, 3), bool), 1.0, 1.0),
            r"stuck_plus and stuck_minus must have the same shape, got \(2, 2\) and \(2, 3\)",
        ),
        (
            lambda: FaultMap(np.zeros((2, 2)), np.zeros((2, 2), bool), 1.0, 1.0),
            "stuck_plus must be a boolean array, got dtype float64",
        ),
        (
            lambda: FaultMap(np.zeros(4, bool), np.zeros(4, bool), 1.0, 1.0),
            r"stuck_plus must be a 2-D matrix .* got shape \(4,\)",
        ),
        (
            lambda: FaultMap(np.eye(2, dtype=bool), np.zeros((2, 2), bool), -3.0, 1.0),
            r"stuck_plus_us contain 2 negative conductances \(min -3 uS\)",
        ),
        (
            lambda: FaultMap(np.eye(2, dtype=bool), np.eye(2, dtype=bool), 1.0, np.nan),
            "stuck_minus_us contain 2 NaN values",
        ),
        (
            lambda: FaultMap(np.eye(2, dtype=bool), np.eye(2, dtype=bool), np.ones(3), 1.0),
            r"stuck_plus_us of shape \(3,\) does not broadcast to the fault-map shape \(2, 2\)",
        ),
        (
            lambda: map_weights(np.ones((2, 3)), faults=faults_at((3, 2))),
            r"fault map shape \(3, 2\) does not match weights shape \(2, 3\)",
        ),
    ],
)
def test_fault_map_errors(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_nan_stuck_value_is_fine_where_not_stuck() -> None:
    faults = FaultMap(
        np.eye(2, dtype=bool), np.zeros((2, 2), bool), [[5.0, np.nan], [np.nan, 6.0]], np.nan
    )
    assert faults.stuck_plus_us.tolist() == [[5.0, 0.0], [0.0, 6.0]]


# --------------------------------------------------------------------------------------------
# Tiling
# --------------------------------------------------------------------------------------------


def test_tiling_64_by_128_arrays_concrete() -> None:
    rng = np.random.default_rng(7)
    mapped = map_weights(rng.normal(size=(70, 65)), MappingConfig(scheme=Scheme.BALANCED))
    tiles = tile(mapped, 64, 128)  # each array holds 64 x 64 weights
    assert [(t.slot.array_index, t.slot.weight_rows, t.slot.weight_cols) for t in tiles] == [
        (0, (0, 64), (0, 64)),
        (1, (0, 64), (64, 65)),
        (2, (64, 70), (0, 64)),
        (3, (64, 70), (64, 65)),
    ]
    assert [t.g_us.shape for t in tiles] == [(64, 128), (64, 2), (6, 128), (6, 2)]
    # Interleaving: device column 2j is G+ of weight column j, 2j + 1 its G-.
    assert tiles[0].g_us[0, 0] == mapped.g_plus_us[0, 0]
    assert tiles[0].g_us[0, 1] == mapped.g_minus_us[0, 0]
    assert tiles[0].g_us[5, 2] == mapped.g_plus_us[5, 1]
    assert tiles[3].g_us[1, 1] == mapped.g_minus_us[65, 64]
    assert plan_tiles((70, 65), 64, 128).n_arrays == 4


@PROPERTY
@given(
    w=weight_matrices(max_side=30),
    array_rows=st.integers(1, 12),
    array_cols=st.integers(2, 12),
)
def test_tile_untile_round_trip(w: np.ndarray, array_rows: int, array_cols: int) -> None:
    mapped = map_weights(w)
    tiles = tile(mapped, array_rows, array_cols)
    placement = plan_tiles(w.shape, array_rows, array_cols)
    per_array = array_cols // 2
    n_blocks = -(-w.shape[0] // array_rows) * -(-w.shape[1] // per_array)
    assert len(tiles) == len(placement.slots) == n_blocks
    cover = np.zeros(w.shape, int)
    for t, slot in zip(tiles, placement.slots, strict=True):
        assert t.slot == slot
        assert t.g_us.shape[0] <= array_rows and t.g_us.shape[1] <= 2 * per_array
        (r0, r1), (c0, c1) = slot.weight_rows, slot.weight_cols
        cover[r0:r1, c0:c1] += 1
    assert np.all(cover == 1)
    # Read back as Tile objects, as bare blocks, or as whole-array read-outs with junk around.
    as_arrays = [t.g_us for t in tiles]
    whole = []
    for t in tiles:
        full = np.full((array_rows, array_cols), 99.0)
        n_rows, n_cols = t.slot.device_shape
        full[:n_rows, :n_cols] = t.g_us
        whole.append(full)
    for read in (tiles, as_arrays, whole):
        g_plus, g_minus = untile(read, placement)
        assert np.array_equal(g_plus, mapped.g_plus_us)
        assert np.array_equal(g_minus, mapped.g_minus_us)


def test_untile_honours_row0_col0() -> None:
    g_plus = np.array([[1.0, 2.0], [3.0, 4.0]])
    g_minus = g_plus + 10.0
    placement = Placement(
        (2, 2), 4, 6, (TileSlot(0, (0, 2), (0, 1), row0=1, col0=3), TileSlot(1, (0, 2), (1, 2)))
    )
    first = np.zeros((4, 6))
    first[1:3, 3:5] = [[1.0, 11.0], [3.0, 13.0]]
    second = np.array([[2.0, 12.0], [4.0, 14.0]])
    back_plus, back_minus = untile([first, second], placement)
    assert np.array_equal(back_plus, g_plus) and np.array_equal(back_minus, g_minus)


def test_tiling_errors() -> None:
    mapped = map_weights(np.ones((5, 5)))
    tiles = tile(mapped, 4, 4)
    placement = plan_tiles((5, 5), 4, 4)
    with pytest.raises(ValueError, match="expected 6 tiles for the placement, got 5"):
        untile(tiles[:5], placement)
    wrong = [t.g_us for t in tiles]
    wrong[1] = np.ones((3, 3))
    with pytest.raises(ValueError, match=r"tile 1 \(array 1\) has shape \(3, 3\); expected"):
        untile(wrong, placement)
    wrong[1] = -tiles[1].g_us
    with pytest.raises(ValueError, match="tile 1 contains 16 negative conductances"):
        untile(wrong, placement)
    with pytest.raises(ValueError, match="array_cols must be >= 2, got 1"):
        plan_tiles((5, 5), 4, 1)
    with pytest.raises(ValueError, match=r"exactly once: 2 uncovered, 0 covered more than once"):
        Placement((2, 2), 4, 4, (TileSlot(0, (0, 2), (0, 1)),))
    with pytest.raises(ValueError, match="does not fit an array of 4 x 4"):
        Placement((2, 2), 4, 4, (TileSlot(0, (0, 2), (0, 2), row0=3),))


# --------------------------------------------------------------------------------------------
# Convolution kernels
# --------------------------------------------------------------------------------------------


def brute_force_patches(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """im2col by hand: one row per output position, entries in (channel, ki, kj) order."""
    in_ch, height, width = x.shape
    rows = []
    for oi, oj in itertools.product(range(height - kh + 1), range(width - kw + 1)):
        rows.append(
            [
                x[c, oi + ki, oj + kj]
                for c, ki, kj in itertools.product(range(in_ch), range(kh), range(kw))
            ]
        )
    return np.array(rows)


def brute_force_conv(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation (torch conv2d), output (positions, out_ch)."""
    out_ch, in_ch, kh, kw = kernel.shape
    _, height, width = x.shape
    out = np.zeros(((height - kh + 1) * (width - kw + 1), out_ch))
    for p, (oi, oj) in enumerate(itertools.product(range(height - kh + 1), range(width - kw + 1))):
        for o, c, ki, kj in itertools.product(range(out_ch), range(in_ch), range(kh), range(kw)):
            out[p, o] += kernel[o, c, ki, kj] * x[c, oi + ki, oj + kj]
    return out


def test_conv_matrix_matches_brute_force_im2col() -> None:
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(3, 2, 2, 3))
    x = rng.normal(size=(2, 4, 5))
    matrix = conv_to_matrix(kernel)
    assert matrix.shape == (12, 3)
    assert matrix[(1 * 2 + 0) * 3 + 2, 1] == kernel[1, 1, 0, 2]  # row (c=1, ki=0, kj=2)
    patches = brute_force_patches(x, 2, 3)
    assert np.allclose(patches @ matrix, brute_force_conv(x, kernel), rtol=1e-12, atol=1e-12)


def test_conv_matrix_order_matches_torch_unfold() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    kernel = rng.normal(size=(4, 3, 3, 2))
    x = rng.normal(size=(3, 5, 6))
    unfolded = torch.nn.functional.unfold(torch.from_numpy(x)[None], (3, 2))[0].numpy()
    assert np.array_equal(unfolded.T, brute_force_patches(x, 3, 2))
    expected = torch.nn.functional.conv2d(torch.from_numpy(x)[None], torch.from_numpy(kernel))
    got = unfolded.T @ conv_to_matrix(kernel)
    assert np.allclose(got, expected[0].numpy().reshape(4, -1).T, rtol=1e-10, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    kernel=st.tuples(*(st.integers(1, 4) for _ in range(4))).flatmap(
        lambda s: hnp.arrays(np.float64, s, elements=st.floats(-10, 10))
    )
)
def test_conv_round_trip(kernel: np.ndarray) -> None:
    matrix = conv_to_matrix(kernel)
    out_ch, in_ch, kh, kw = kernel.shape
    assert matrix.shape == (in_ch * kh * kw, out_ch)
    assert np.array_equal(matrix_to_conv(matrix, kernel.shape), kernel)


def test_conv_errors() -> None:
    with pytest.raises(ValueError, match=r"kernel must be 4-D .* got shape \(3, 3, 3\)"):
        conv_to_matrix(np.ones((3, 3, 3)))
    with pytest.raises(ValueError, match="kernel contains 1 NaN values"):
        conv_to_matrix(np.full((1, 1, 1, 1), np.nan))
    with pytest.raises(ValueError, match=r"matrix of shape \(12, 3\) does not fit kernel shape"):
        matrix_to_conv(np.ones((12, 3)), (3, 2, 2, 2))
    with pytest.raises(ValueError, match="kernel_shape must be"):
        matrix_to_conv(np.ones((12, 3)), (3, 12))


def test_conv_kernel_maps_and_tiles() -> None:
    kernel = np.random.default_rng(11).normal(size=(8, 3, 3, 3))
    matrix = conv_to_matrix(kernel)
    mapped = map_weights(matrix, MappingConfig(granularity="per_column"))
    g_plus, g_minus = untile(tile(mapped, 16, 8), plan_tiles(matrix.shape, 16, 8))
    back = matrix_to_conv(unmap(g_plus, g_minus, mapped), kernel.shape)
    assert np.allclose(back, kernel, rtol=0, atol=1e-12 * np.abs(kernel).max())
