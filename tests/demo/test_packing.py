"""Layers of a network side by side on one chip, and back."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from hil.demo import layer_matrices, pack_layers, read_back_weights, unpack_layers, with_layers
from hil.mapping import MappingConfig, interleave, map_weights


def _layers() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {
        "a": rng.normal(size=(9, 4)),
        "b": rng.normal(size=(20, 3)),
        "c": rng.normal(size=(5, 2)),
    }


def test_pack_places_layers_side_by_side() -> None:
    packed, real, slots = pack_layers(_layers())
    assert packed.shape == (20, 9) and real.sum() == 9 * 4 + 20 * 3 + 5 * 2
    assert [s.col0 for s in slots] == [0, 4, 7]
    assert not real[9:, 0:4].any() and (packed[9:, 0:4] == 0).all()
    for name, matrix in unpack_layers(packed, slots).items():
        np.testing.assert_array_equal(matrix, _layers()[name])


def test_read_back_of_exact_targets_gives_the_weights() -> None:
    packed, _, slots = pack_layers(_layers())
    mapped = map_weights(packed, MappingConfig(granularity="per_column"))
    block = interleave(mapped.g_plus_us, mapped.g_minus_us)
    chip = np.pad(block, ((0, 4), (0, 6)), constant_values=1.0)  # the rest of the array
    for name, matrix in read_back_weights(chip, mapped.params, slots).items():
        np.testing.assert_allclose(matrix, _layers()[name], atol=1e-9)


def test_no_layers_is_an_error() -> None:
    with pytest.raises(ValueError, match="no layers"):
        pack_layers({})


def test_layer_matrices_round_trip_through_the_model() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3, bias=False), nn.Flatten(), nn.Linear(3 * 6 * 6, 4))
    model.eval()
    layers = layer_matrices(model)
    assert {k: v.shape for k, v in layers.items()} == {"0": (9, 3), "2": (108, 4)}
    x = torch.rand(5, 1, 8, 8)
    same = with_layers(model, layers)
    torch.testing.assert_close(same(x), model(x))
    halved = with_layers(model, {name: m / 2 for name, m in layers.items()})
    assert not torch.allclose(halved(x), model(x))
