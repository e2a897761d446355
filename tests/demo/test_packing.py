"""Layers of a network side by side on one chip, each with its own mapping, and back."""

from __future__ import annotations

import numpy as np
import pytest

from hil.demo import layer_conductances, pack_layers, packed_mapping
from hil.mapping import MappingConfig, interleave, map_weights, unmap


def _layers() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {
        "a": rng.normal(size=(9, 4)),
        "b": 20 * rng.normal(size=(20, 3)),  # another scale: its own mapping must keep it
        "c": rng.normal(size=(5, 2)),
    }


def test_pack_places_layers_side_by_side() -> None:
    packed, real, slots = pack_layers(_layers())
    assert packed.shape == (20, 9) and real.sum() == 9 * 4 + 20 * 3 + 5 * 2
    assert [s.col0 for s in slots] == [0, 4, 7]
    assert not real[9:, 0:4].any() and (packed[9:, 0:4] == 0).all()
    np.testing.assert_array_equal(packed[:20, 4:7], _layers()["b"])


def test_packed_mapping_keeps_each_layers_scale() -> None:
    layers = _layers()
    _, real, slots = pack_layers(layers)
    config = MappingConfig(granularity="per_tensor")
    mapped = {name: map_weights(w, config) for name, w in layers.items()}
    g_plus, g_minus, params = packed_mapping(mapped, slots)
    assert np.isnan(g_plus[~real]).all() and np.isfinite(g_plus[real]).all()
    assert params.config.granularity == "per_column"
    assert params.scales[4] == pytest.approx(mapped["b"].scales[0])
    assert params.scales[0] == pytest.approx(mapped["a"].scales[0]) != params.scales[4]
    weights = unmap(np.where(real, g_plus, 1.0), np.where(real, g_minus, 1.0), params)
    np.testing.assert_allclose(weights[:20, 4:7], layers["b"], atol=1e-9)
    np.testing.assert_allclose(weights[:9, 0:4], layers["a"], atol=1e-9)


def test_layer_conductances_cut_each_layer_from_a_read() -> None:
    layers = _layers()
    _, real, slots = pack_layers(layers)
    mapped = {name: map_weights(w, MappingConfig()) for name, w in layers.items()}
    g_plus, g_minus, _ = packed_mapping(mapped, slots)
    read = interleave(np.where(real, g_plus, 0.5), np.where(real, g_minus, 0.5))
    read = np.pad(read, ((0, 4), (0, 6)), constant_values=1.0)  # the rest of the array
    for name, (plus, minus) in layer_conductances(read, slots).items():
        np.testing.assert_allclose(plus, mapped[name].g_plus_us)
        np.testing.assert_allclose(minus, mapped[name].g_minus_us)


def test_no_layers_is_an_error() -> None:
    with pytest.raises(ValueError, match="no layers"):
        pack_layers({})
