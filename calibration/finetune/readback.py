"""Conductances read back from a chip (HDF5 files of ``hil program`` + ``hil retention`` or
``hil read``) as the weights of a chip model's layers.

A file that ``hil program`` wrote holds the layer's mapping (``/targets``) and, after
``hil retention`` or ``hil read --state``, its reads (``/reads``); weight (i, j) of the layer sits
on devices (origin_row + i, origin_col + 2j) (G+) and (..., origin_col + 2j + 1) (G-)
(measurements/README.md). The last read is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from torch import nn

from calibration.finetune.chip import AnalogLayer, drift, program
from calibration.finetune.retention import RetentionLike
from hil.errors import HilError
from hil.mapping import MappingParams, unmap
from hil.store import MeasurementFile


@dataclass(frozen=True)
class LayerReadback:
    """One layer's read-back conductance pairs (uS, (in, out)) and how to turn them to weights."""

    g_plus_us: np.ndarray
    g_minus_us: np.ndarray
    params: MappingParams
    t_s: float
    """Time of the read after the end of programming, s."""

    def weights(self) -> np.ndarray:
        """The weights the conductances hold, (in, out), weight units."""
        return unmap(self.g_plus_us, self.g_minus_us, self.params)


def load_readback(path: Path, targets: Path | None = None) -> LayerReadback:
    """The last read of ``path``, cut to the layer that ``targets`` (default: ``path``) maps.

    Raises:
        HilError: if the files lack targets or reads, or the read block misses the layer.
    """
    with MeasurementFile.open(targets or path) as store:
        try:
            tgt = store.targets()
        except (KeyError, HilError):
            raise HilError(
                f"{targets or path} holds no /targets (write it with hil program)"
            ) from None
    with MeasurementFile.open(path) as store:
        if not store.has_reads:
            raise HilError(f"{path} holds no reads (use hil retention or hil read)")
        reads = store.reads()
    params = MappingParams.from_dict(tgt["mapping"])
    n_in, n_out = params.shape
    row, col = tgt["origin"]
    row0, col0, n_rows, n_cols = reads.block
    r, c = row - row0, col - col0
    if r < 0 or c < 0 or r + n_in > n_rows or c + 2 * n_out > n_cols:
        raise HilError(f"the read block {reads.block} of {path} does not cover the layer")
    g = np.asarray(reads.g_us[-1], dtype=np.float64)[r : r + n_in, c : c + 2 * n_out]
    return LayerReadback(g[:, 0::2], g[:, 1::2], params, float(reads.t_s[-1]))


def layer_names(chip: nn.Module) -> dict[str, AnalogLayer]:
    """Analog layers by the state-dict key of their weight (``"0.weight"``, ...)."""
    return {
        f"{name}.weight": module
        for name, module in chip.named_modules()
        if isinstance(module, AnalogLayer)
    }


def apply_readback(
    chip: nn.Module,
    readbacks: dict[str, LayerReadback],
    retention: RetentionLike,
    seed: int = 0,
) -> float:
    """Make ``chip`` compute with read-back weights; layers without a file are simulated at the
    read-backs' time with ``retention``. Returns that time, s.

    Raises:
        ValueError: for unknown layer keys, shape mismatches or read-backs of different times.
    """
    layers = layer_names(chip)
    unknown = sorted(set(readbacks) - set(layers))
    if unknown:
        raise ValueError(f"no analog layer {unknown}; layers: {', '.join(layers)}")
    times = {rb.t_s for rb in readbacks.values()}
    t_s = float(np.mean(sorted(times))) if times else 0.0
    rng = np.random.default_rng(seed)
    drift(chip, program(chip, retention, rng), retention, t_s, rng)
    for key, rb in readbacks.items():
        layer = layers[key]
        if rb.params.shape != layer.matrix().shape:
            raise ValueError(
                f"{key}: read-back layer shape {rb.params.shape} differs from the model's "
                f"{layer.matrix().shape}"
            )
        layer.delta = layer.from_matrix(rb.weights()) - layer.weight.detach()
    return t_s
