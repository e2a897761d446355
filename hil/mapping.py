"""Neural-network weights <-> differential conductance pairs (G+, G-), tiling and stuck cells.

A weight ``w`` is held by two devices as ``w = scale * (G+ - G-)``: conductances are in
microsiemens (uS) everywhere and ``scale`` is in weight units per uS. The weight matrix has shape
``(in_features, out_features)``: inputs drive the rows (word lines) and every column is one
output, held by two adjacent device columns (G+ then G-).

Pipeline of :func:`map_weights`, for each column (or the whole tensor):

1. optional percentile clipping of ``|w|`` gives the clip value ``c`` (else ``c = max|w|``);
2. ``u = clip(w, -c, c) / c`` lies in [-1, 1]; optional quantisation to ``n_levels`` values of
   ``u`` evenly spaced over [-1, 1] (so the difference ``d`` takes ``n_levels`` values evenly
   spaced over the usable difference range);
3. ``d = u * d_max`` with ``d_max = range_shrink * (g_max - g_min)``, and ``scale = c / d_max``;
4. the pair scheme turns ``d`` into ``(G+, G-)``; stuck devices, if a fault map is given, are
   honoured by moving the partner device (:class:`FaultMap`).

Sources (ideas only, no code copied):

- IBM aihwkit, ``src/aihwkit/inference/converter/conductance.py``: the converter pair
  ``convert_to_conductances`` / ``convert_back_to_weights`` and ``SinglePairConductanceConverter``
  (one device of each pair at g_min, ``scale = (g_max - g_min) / max|W|``).
- NeuRRAM (Wan et al., "A compute-in-memory chip based on resistive random-access memory",
  Nature 608, 2022): the 1-40 uS device window used as the default here
  (``shared/reference/device_models.md`` section 6.1) and its "sign" vs offset pair mappings.
- Sandia CrossSim, ``simulator/cores/readme.md`` and ``simulator/parameters/core_parameters.py``:
  ``BalancedCore`` with style ``ONE_SIDED`` (one device at the lowest conductance; our
  ``Scheme.SIGN``) or ``TWO_SIDED`` (the pair's sum is fixed; our ``Scheme.BALANCED``). CrossSim's
  ``OffsetCore`` (one device per weight plus a subtracted offset) is a different, single-device
  scheme and is not implemented here. CrossSim's ``AnalogCore`` partitioning of large matrices
  over fixed-size arrays is the model for :func:`tile`.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CONTINUOUS_MATCH_TOL_US",
    "DEFAULT_G_MAX_US",
    "DEFAULT_G_MIN_US",
    "BalancedPair",
    "FaultMap",
    "Granularity",
    "MappedWeights",
    "MappingConfig",
    "MappingParams",
    "PairScheme",
    "Placement",
    "Scheme",
    "SignPair",
    "Tile",
    "TileSlot",
    "conv_to_matrix",
    "interleave",
    "map_weights",
    "matrix_to_conv",
    "pair_scheme",
    "plan_tiles",
    "tile",
    "unmap",
    "untile",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Granularity = Literal["per_tensor", "per_column"]

DEFAULT_G_MIN_US = 1.0
"""HRS floor of the default window, uS (NeuRRAM; device_models.md section 6.1)."""
DEFAULT_G_MAX_US = 40.0
"""Top of the default window, uS (NeuRRAM; device_models.md section 6.1)."""
CONTINUOUS_MATCH_TOL_US = 1e-9
"""Largest pair-difference error, uS, still counted as placed when there is no quantisation."""

_GRANULARITIES: tuple[str, ...] = ("per_tensor", "per_column")


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _contain(name: str) -> str:
    return f"{name} contain" if name.endswith("s") else f"{name} contains"


def _as_float_array(name: str, value: ArrayLike) -> FloatArray:
    """Convert to a float64 array, rejecting non-numeric, complex, NaN and infinite values."""
    try:
        raw = np.asarray(value)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular numeric array: {exc}") from exc
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {raw.dtype}")
    array = raw.astype(np.float64)
    n_nan = int(np.count_nonzero(np.isnan(array)))
    if n_nan:
        raise ValueError(f"{_contain(name)} {n_nan} NaN values")
    n_inf = int(np.count_nonzero(np.isinf(array)))
    if n_inf:
        raise ValueError(f"{_contain(name)} {n_inf} infinite values")
    return array


def _as_matrix(name: str, value: ArrayLike) -> FloatArray:
    """Return ``value`` as a finite, non-empty 2-D float64 matrix (in_features, out_features)."""
    array = _as_float_array(name, value)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D matrix (in_features, out_features), got shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array


def _check_non_negative(name: str, g_us: FloatArray) -> None:
    n_neg = int(np.count_nonzero(g_us < 0))
    if n_neg:
        raise ValueError(
            f"{_contain(name)} {n_neg} negative conductances (min {g_us.min():.6g} uS)"
        )


def _as_conductance_matrix(name: str, value: ArrayLike) -> FloatArray:
    g_us = _as_matrix(name, value)
    _check_non_negative(name, g_us)
    return g_us


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def _positive_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    result = int(value)
    if result < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {result}")
    return result


def _shape2(name: str, value: Sequence[int]) -> tuple[int, int]:
    shape = tuple(value)
    if len(shape) != 2:
        raise ValueError(f"{name} must have two entries (rows, cols), got {shape}")
    return (_positive_int(f"{name}[0]", shape[0]), _positive_int(f"{name}[1]", shape[1]))


# --------------------------------------------------------------------------------------------
# Pair schemes
# --------------------------------------------------------------------------------------------


class Scheme(enum.Enum):
    """How a signed difference is split over the two devices of a pair (stored by name)."""

    SIGN = "sign"
    """Single-pair / sign: the device on the weight's side carries |d|, the other sits at g_min
    (aihwkit ``SinglePairConductanceConverter``; CrossSim balanced ``ONE_SIDED``)."""
    BALANCED = "balanced"
    """Offset / balanced: both devices around mid-window, G+- = g_mid +- d/2, so the pair's sum
    is fixed (CrossSim balanced ``TWO_SIDED``; NeuRRAM's non-"sign" pair mapping)."""


class PairScheme(Protocol):
    """A weight-to-pair converter working on pair differences in uS."""

    g_min_us: float
    g_max_us: float

    @property
    def max_difference_us(self) -> float:
        """Largest |G+ - G-| the scheme can hold inside the window, uS."""
        ...

    def convert_to_conductances(self, d_us: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Split differences ``d_us`` (|d| <= max_difference_us) into (G+, G-) in uS."""
        ...

    def convert_back_to_differences(
        self, g_plus_us: FloatArray, g_minus_us: FloatArray
    ) -> FloatArray:
        """Pair differences (uS) from read conductances (uS)."""
        ...


@dataclass(frozen=True)
class SignPair:
    """Single-pair "sign" scheme: ``G+ = g_min + max(d, 0)``, ``G- = g_min + max(-d, 0)``.

    One device of every pair sits at g_min, where ReRAM relaxes least (device_models.md 2.2).
    """

    g_min_us: float = DEFAULT_G_MIN_US
    g_max_us: float = DEFAULT_G_MAX_US

    @property
    def max_difference_us(self) -> float:
        """Largest |G+ - G-|, uS: the full window ``g_max - g_min``."""
        return self.g_max_us - self.g_min_us

    def convert_to_conductances(self, d_us: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Put |d| (uS) on the device of d's sign and g_min on the other.

        Args:
            d_us: Pair differences, uS, with |d| <= ``max_difference_us``.

        Returns:
            (G+, G-) in uS, clipped to [g_min, g_max] against rounding.
        """
        g_plus_us = self.g_min_us + np.maximum(d_us, 0.0)
        g_minus_us = self.g_min_us + np.maximum(-d_us, 0.0)
        return (
            np.clip(g_plus_us, self.g_min_us, self.g_max_us),
            np.clip(g_minus_us, self.g_min_us, self.g_max_us),
        )

    def convert_back_to_differences(
        self, g_plus_us: FloatArray, g_minus_us: FloatArray
    ) -> FloatArray:
        """Pair differences G+ - G- (uS); the g_min floor cancels."""
        return g_plus_us - g_minus_us


@dataclass(frozen=True)
class BalancedPair:
    """Offset / balanced scheme: ``G+- = g_mid +- d/2`` with ``g_mid = (g_min + g_max) / 2``.

    The pair's sum is fixed at ``2 * g_mid`` and the difference spans the full window.
    """

    g_min_us: float = DEFAULT_G_MIN_US
    g_max_us: float = DEFAULT_G_MAX_US

    @property
    def g_mid_us(self) -> float:
        """Mid-window conductance, uS: the zero-difference point of both devices."""
        return 0.5 * (self.g_min_us + self.g_max_us)

    @property
    def max_difference_us(self) -> float:
        """Largest |G+ - G-|, uS: ``g_max - g_min`` (one device at each end)."""
        return self.g_max_us - self.g_min_us

    def convert_to_conductances(self, d_us: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Place the pair symmetrically about g_mid.

        Args:
            d_us: Pair differences, uS, with |d| <= ``max_difference_us``.

        Returns:
            (G+, G-) in uS, clipped to [g_min, g_max] against rounding.
        """
        half_us = 0.5 * d_us
        return (
            np.clip(self.g_mid_us + half_us, self.g_min_us, self.g_max_us),
            np.clip(self.g_mid_us - half_us, self.g_min_us, self.g_max_us),
        )

    def convert_back_to_differences(
        self, g_plus_us: FloatArray, g_minus_us: FloatArray
    ) -> FloatArray:
        """Pair differences G+ - G- (uS) used directly: common-mode drift of a pair cancels."""
        return g_plus_us - g_minus_us


_SCHEME_CLASSES: dict[Scheme, type[SignPair] | type[BalancedPair]] = {
    Scheme.SIGN: SignPair,
    Scheme.BALANCED: BalancedPair,
}


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


def _scheme_from_name(value: object) -> Scheme:
    if isinstance(value, Scheme):
        return value
    if isinstance(value, str) and value in Scheme.__members__:
        return Scheme[value]
    names = ", ".join(Scheme.__members__)
    raise ValueError(f"unknown scheme {value!r}; expected one of {names}")


@dataclass(frozen=True)
class MappingConfig:
    """Options of the weight-to-conductance mapping (validated on construction).

    JSON round trip: ``MappingConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg``.
    """

    scheme: Scheme = Scheme.SIGN
    """Pair scheme; a member name ("SIGN", "BALANCED") is accepted and converted."""
    g_min_us: float = DEFAULT_G_MIN_US
    """Bottom of the programmable window, uS (>= 0)."""
    g_max_us: float = DEFAULT_G_MAX_US
    """Top of the programmable window, uS (> g_min_us)."""
    granularity: Granularity = "per_tensor"
    """One scale for the whole matrix ("per_tensor") or one per output column ("per_column")."""
    clip_percentile: float | None = None
    """Clip |w| at this percentile, in (0, 100], before computing the scale; None: no clipping."""
    n_levels: int | None = None
    """Number of evenly spaced pair-difference levels over the usable range (>= 2); None:
    continuous. An odd count keeps zero exactly representable."""
    range_shrink: float = 1.0
    """Fraction, in (0, 1], of the difference range to use; the rest is headroom for drift."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "scheme", _scheme_from_name(self.scheme))
        g_min_us = _real("g_min_us", self.g_min_us)
        g_max_us = _real("g_max_us", self.g_max_us)
        if g_min_us < 0:
            raise ValueError(
                f"g_min_us must be >= 0 (conductances are non-negative), got {g_min_us}"
            )
        if g_min_us >= g_max_us:
            raise ValueError(f"g_min_us ({g_min_us}) must be < g_max_us ({g_max_us})")
        object.__setattr__(self, "g_min_us", g_min_us)
        object.__setattr__(self, "g_max_us", g_max_us)
        if self.granularity not in _GRANULARITIES:
            raise ValueError(
                f"granularity must be 'per_tensor' or 'per_column', got {self.granularity!r}"
            )
        if self.clip_percentile is not None:
            percentile = _real("clip_percentile", self.clip_percentile)
            if not 0.0 < percentile <= 100.0:
                raise ValueError(f"clip_percentile must be in (0, 100], got {percentile}")
            object.__setattr__(self, "clip_percentile", percentile)
        if self.n_levels is not None:
            object.__setattr__(self, "n_levels", _positive_int("n_levels", self.n_levels, 2))
        shrink = _real("range_shrink", self.range_shrink)
        if not 0.0 < shrink <= 1.0:
            raise ValueError(f"range_shrink must be in (0, 1], got {shrink}")
        object.__setattr__(self, "range_shrink", shrink)

    @property
    def max_difference_us(self) -> float:
        """Usable |G+ - G-|, uS: the scheme's range times ``range_shrink``."""
        return pair_scheme(self).max_difference_us * self.range_shrink

    @property
    def level_step_us(self) -> float | None:
        """Spacing of the quantised pair differences, uS; None when continuous."""
        if self.n_levels is None:
            return None
        return 2.0 * self.max_difference_us / (self.n_levels - 1)

    @property
    def match_tolerance_us(self) -> float:
        """Largest difference error, uS, counted as placed: half a level step, or 1e-9 uS."""
        step_us = self.level_step_us
        return CONTINUOUS_MATCH_TOL_US if step_us is None else 0.5 * step_us

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the scheme is stored by its member name."""
        return {
            "scheme": self.scheme.name,
            "g_min_us": self.g_min_us,
            "g_max_us": self.g_max_us,
            "granularity": self.granularity,
            "clip_percentile": self.clip_percentile,
            "n_levels": self.n_levels,
            "range_shrink": self.range_shrink,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingConfig:
        """Build from :meth:`to_dict` output; missing keys take defaults, unknown keys raise.

        Raises:
            ValueError: on unknown keys or invalid values.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"MappingConfig.from_dict needs a mapping, got {type(data).__name__}")
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"unknown MappingConfig keys: {unknown}")
        return cls(**data)


def pair_scheme(config: MappingConfig) -> SignPair | BalancedPair:
    """The pair converter of ``config.scheme`` on the config's window."""
    return _SCHEME_CLASSES[config.scheme](config.g_min_us, config.g_max_us)


# --------------------------------------------------------------------------------------------
# Mapping records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MappingParams:
    """What :func:`unmap` needs to turn read conductances back into weights.

    Small enough to store next to measurements (``to_dict`` is JSON-ready).
    """

    config: MappingConfig
    """The options the weights were mapped with."""
    scales: FloatArray
    """Weight units per uS, one per output column (all equal for "per_tensor"); shape (cols,)."""
    clip_values: FloatArray
    """|w| mapped to the full usable difference, weight units; shape (cols,). Equals max|w|
    (per tensor or column) without clipping; 0 for an all-zero tensor or column."""
    shape: tuple[int, int]
    """Shape of the weight matrix, (in_features, out_features)."""

    def __post_init__(self) -> None:
        shape = _shape2("shape", self.shape)
        object.__setattr__(self, "shape", shape)
        for name in ("scales", "clip_values"):
            values = _as_float_array(name, getattr(self, name))
            if values.shape != (shape[1],):
                raise ValueError(f"{name} must have shape ({shape[1]},), got {values.shape}")
            object.__setattr__(self, name, values)
        if np.any(self.scales <= 0):
            raise ValueError("scales must be > 0 weight units per uS")
        if np.any(self.clip_values < 0):
            raise ValueError("clip_values must be >= 0")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (arrays as lists)."""
        return {
            "config": self.config.to_dict(),
            "scales": self.scales.tolist(),
            "clip_values": self.clip_values.tolist(),
            "shape": list(self.shape),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingParams:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        expected = {"config", "scales", "clip_values", "shape"}
        unknown = sorted(set(data) - expected)
        missing = sorted(expected - set(data))
        if unknown or missing:
            raise ValueError(f"MappingParams keys: unknown {unknown}, missing {missing}")
        return cls(
            config=MappingConfig.from_dict(data["config"]),
            scales=np.asarray(data["scales"], dtype=np.float64),
            clip_values=np.asarray(data["clip_values"], dtype=np.float64),
            shape=tuple(data["shape"]),
        )


@dataclass(frozen=True, eq=False)
class MappedWeights:
    """Target conductances of a weight matrix plus everything needed to read it back."""

    g_plus_us: FloatArray
    """Target G+ per weight, uS; shape (in_features, out_features)."""
    g_minus_us: FloatArray
    """Target G- per weight, uS; same shape."""
    scales: FloatArray
    """Weight units per uS, shape (out_features,)."""
    clip_values: FloatArray
    """|w| mapped to the full usable difference, weight units, shape (out_features,)."""
    config: MappingConfig
    """The options used."""
    shape: tuple[int, int]
    """Original weight-matrix shape (in_features, out_features)."""
    unplaceable: BoolArray
    """True where stuck devices keep the pair difference off target by more than
    ``config.match_tolerance_us``; all False without a fault map."""
    residual: FloatArray
    """Achieved minus intended weight, weight units, from stuck devices (0 without faults).
    The intended weight is the clipped and quantised one, so this excludes those errors."""

    @property
    def params(self) -> MappingParams:
        """The read-back parameters, without the conductances."""
        return MappingParams(self.config, self.scales, self.clip_values, self.shape)


# --------------------------------------------------------------------------------------------
# Stuck cells
# --------------------------------------------------------------------------------------------


def _stuck_values(name: str, value: ArrayLike, mask: BoolArray) -> FloatArray:
    array = np.asarray(value)
    try:
        array = np.broadcast_to(array, mask.shape)
    except ValueError as exc:
        raise ValueError(
            f"{name} of shape {array.shape} does not broadcast to the fault-map shape {mask.shape}"
        ) from exc
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    values = array.astype(np.float64)  # a copy: the broadcast view is read-only
    # Only stuck cells need a value: elsewhere NaN placeholders are allowed and zeroed.
    at_stuck = _as_float_array(name, values[mask])
    _check_non_negative(name, at_stuck)
    values[~mask] = 0.0
    return values


@dataclass(frozen=True, eq=False)
class FaultMap:
    """Stuck devices of a weight matrix's pairs and the conductances they are stuck at.

    Masks have the weight matrix's shape (in_features, out_features); the values may be scalars
    or arrays broadcastable to it and are read only where the matching mask is True.
    """

    stuck_plus: BoolArray
    """True where the G+ device is stuck."""
    stuck_minus: BoolArray
    """True where the G- device is stuck."""
    stuck_plus_us: FloatArray
    """Conductance of each stuck G+ device, uS (>= 0; may lie outside the window)."""
    stuck_minus_us: FloatArray
    """Conductance of each stuck G- device, uS (>= 0; may lie outside the window)."""

    def __post_init__(self) -> None:
        for name in ("stuck_plus", "stuck_minus"):
            mask = np.asarray(getattr(self, name))
            if mask.dtype != np.bool_:
                raise ValueError(f"{name} must be a boolean array, got dtype {mask.dtype}")
            if mask.ndim != 2:
                raise ValueError(
                    f"{name} must be a 2-D matrix (in_features, out_features), "
                    f"got shape {mask.shape}"
                )
            object.__setattr__(self, name, mask)
        if self.stuck_plus.shape != self.stuck_minus.shape:
            raise ValueError(
                "stuck_plus and stuck_minus must have the same shape, got "
                f"{self.stuck_plus.shape} and {self.stuck_minus.shape}"
            )
        plus_us = _stuck_values("stuck_plus_us", self.stuck_plus_us, self.stuck_plus)
        minus_us = _stuck_values("stuck_minus_us", self.stuck_minus_us, self.stuck_minus)
        object.__setattr__(self, "stuck_plus_us", plus_us)
        object.__setattr__(self, "stuck_minus_us", minus_us)

    @property
    def shape(self) -> tuple[int, int]:
        """Weight-matrix shape the map describes."""
        return (int(self.stuck_plus.shape[0]), int(self.stuck_plus.shape[1]))


def _apply_faults(
    g_plus_us: FloatArray,
    g_minus_us: FloatArray,
    faults: FaultMap,
    config: MappingConfig,
    scales: FloatArray,
) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
    """Pin stuck devices and move each lone partner to keep the intended pair difference.

    Returns:
        (G+ uS, G- uS, unplaceable mask, residual in weight units).
    """
    target_us = g_plus_us - g_minus_us
    plus, minus = faults.stuck_plus, faults.stuck_minus
    g_plus = np.where(plus, faults.stuck_plus_us, g_plus_us)
    g_minus = np.where(minus, faults.stuck_minus_us, g_minus_us)
    # A lone stuck device: the partner takes G_stuck -/+ d, clipped to the full window (the
    # shrink headroom is given up here: an exact pair now beats drift margin).
    only_plus = plus & ~minus
    only_minus = minus & ~plus
    partner_minus = np.clip(g_plus - target_us, config.g_min_us, config.g_max_us)
    partner_plus = np.clip(g_minus + target_us, config.g_min_us, config.g_max_us)
    g_minus = np.where(only_plus, partner_minus, g_minus)
    g_plus = np.where(only_minus, partner_plus, g_plus)
    error_us = (g_plus - g_minus) - target_us
    unplaceable = np.abs(error_us) > config.match_tolerance_us
    return g_plus, g_minus, unplaceable, error_us * scales


# --------------------------------------------------------------------------------------------
# Map and unmap
# --------------------------------------------------------------------------------------------


def _clip_values(w: FloatArray, config: MappingConfig) -> FloatArray:
    """|w| that maps to the full usable difference, per column, weight units."""
    axis = 0 if config.granularity == "per_column" else None
    magnitude = np.abs(w)
    if config.clip_percentile is None:
        clip = magnitude.max(axis=axis)
    else:
        clip = np.percentile(magnitude, config.clip_percentile, axis=axis)
    return np.broadcast_to(np.asarray(clip, dtype=np.float64), (w.shape[1],)).copy()


def _quantise(u: FloatArray, n_levels: int) -> FloatArray:
    """Round ``u`` in [-1, 1] to the nearest of ``n_levels`` evenly spaced values over [-1, 1]."""
    half = 0.5 * (n_levels - 1)
    k = np.rint((u + 1.0) * half)
    return (k - half) / half


def map_weights(
    w: ArrayLike, config: MappingConfig | None = None, *, faults: FaultMap | None = None
) -> MappedWeights:
    """Map a weight matrix to target differential conductance pairs.

    All-zero tensors (or columns, per column) get ``scale = 1`` and every pair at the
    zero-difference point (SIGN: both at g_min; BALANCED: both at g_mid), even when an even
    ``n_levels`` has no zero level.

    Args:
        w: Weights, shape (in_features, out_features); inputs drive rows, columns are outputs.
        config: Mapping options; ``MappingConfig()`` (SIGN, 1-40 uS, per tensor) if None.
        faults: Optional stuck devices, same shape as ``w``.

    Returns:
        The target conductances (uS), scales, clip values and the stuck-cell report. Without
        faults every conductance lies in [g_min, g_max]; stuck devices keep their stuck value.

    Raises:
        ValueError: if ``w`` is not a finite, non-empty 2-D matrix, or the fault map's shape
            differs from it.
    """
    config = MappingConfig() if config is None else config
    weights = _as_matrix("weights", w)
    if faults is not None and faults.shape != weights.shape:
        raise ValueError(
            f"fault map shape {faults.shape} does not match weights shape {weights.shape}"
        )
    clip_values = _clip_values(weights, config)
    nonzero = clip_values > 0
    safe_clip = np.where(nonzero, clip_values, 1.0)
    d_max_us = config.max_difference_us
    scales = np.where(nonzero, clip_values / d_max_us, 1.0)

    u = np.clip(weights, -clip_values, clip_values) / safe_clip
    if config.n_levels is not None:
        u = np.where(nonzero, _quantise(u, config.n_levels), 0.0)
    g_plus_us, g_minus_us = pair_scheme(config).convert_to_conductances(u * d_max_us)

    unplaceable = np.zeros(weights.shape, dtype=np.bool_)
    residual = np.zeros(weights.shape, dtype=np.float64)
    if faults is not None:
        g_plus_us, g_minus_us, unplaceable, residual = _apply_faults(
            g_plus_us, g_minus_us, faults, config, scales
        )
    return MappedWeights(
        g_plus_us=g_plus_us,
        g_minus_us=g_minus_us,
        scales=scales,
        clip_values=clip_values,
        config=config,
        shape=(int(weights.shape[0]), int(weights.shape[1])),
        unplaceable=unplaceable,
        residual=residual,
    )


def unmap(
    g_plus_us: ArrayLike, g_minus_us: ArrayLike, mapped_or_params: MappedWeights | MappingParams
) -> FloatArray:
    """Effective weights of read (measured or ideal) conductances: ``scale * (G+ - G-)``.

    Args:
        g_plus_us: Read G+ per weight, uS, shape (in_features, out_features).
        g_minus_us: Read G- per weight, uS, same shape.
        mapped_or_params: The mapping record, or just its :class:`MappingParams`.

    Returns:
        Weights, weight units, shape (in_features, out_features).

    Raises:
        ValueError: on NaN, infinite or negative conductances, or a shape other than the mapped
            weights'.
    """
    params = mapped_or_params
    g_plus = _as_conductance_matrix("g_plus_us", g_plus_us)
    g_minus = _as_conductance_matrix("g_minus_us", g_minus_us)
    for name, g_us in (("g_plus_us", g_plus), ("g_minus_us", g_minus)):
        if g_us.shape != params.shape:
            raise ValueError(
                f"{name} has shape {g_us.shape} but the weights were mapped with shape "
                f"{params.shape}"
            )
    d_us = pair_scheme(params.config).convert_back_to_differences(g_plus, g_minus)
    return params.scales * d_us


# --------------------------------------------------------------------------------------------
# Tiling onto fixed-size arrays
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TileSlot:
    """Where one block of the weight matrix sits on a physical array.

    Weight rows map to word lines ``row0 + i``; weight column ``j`` of the block maps to device
    columns ``col0 + 2j`` (G+) and ``col0 + 2j + 1`` (G-).
    """

    array_index: int
    """Which physical array holds the block."""
    weight_rows: tuple[int, int]
    """Weight rows [start, stop) of the block."""
    weight_cols: tuple[int, int]
    """Weight columns [start, stop) of the block."""
    row0: int = 0
    """First word line of the block on its array."""
    col0: int = 0
    """First device column (a G+ column) of the block on its array."""

    @property
    def device_shape(self) -> tuple[int, int]:
        """(word lines, device columns) the block occupies: (rows, 2 * weight cols)."""
        return (
            self.weight_rows[1] - self.weight_rows[0],
            2 * (self.weight_cols[1] - self.weight_cols[0]),
        )


@dataclass(frozen=True)
class Placement:
    """How a weight matrix is spread over arrays; validated to cover every weight exactly once."""

    weight_shape: tuple[int, int]
    """(in_features, out_features) of the whole matrix."""
    array_rows: int
    """Word lines per array."""
    array_cols: int
    """Device columns per array (two per weight column)."""
    slots: tuple[TileSlot, ...]
    """One entry per tile, in tile order."""

    def __post_init__(self) -> None:
        rows, cols = _shape2("weight_shape", self.weight_shape)
        object.__setattr__(self, "weight_shape", (rows, cols))
        _positive_int("array_rows", self.array_rows)
        _positive_int("array_cols", self.array_cols, 2)
        object.__setattr__(self, "slots", tuple(self.slots))
        cover = np.zeros((rows, cols), dtype=np.int64)
        for slot in self.slots:
            (r0, r1), (c0, c1) = slot.weight_rows, slot.weight_cols
            if not (0 <= r0 < r1 <= rows and 0 <= c0 < c1 <= cols):
                raise ValueError(f"slot {slot} lies outside the weight matrix {(rows, cols)}")
            n_rows, n_cols = slot.device_shape
            fits_rows = 0 <= slot.row0 <= self.array_rows - n_rows
            fits_cols = 0 <= slot.col0 <= self.array_cols - n_cols
            if not (fits_rows and fits_cols):
                raise ValueError(
                    f"slot {slot} does not fit an array of {self.array_rows} x {self.array_cols}"
                )
            cover[r0:r1, c0:c1] += 1
        if np.any(cover != 1):
            raise ValueError(
                f"placement must cover every weight exactly once: {np.count_nonzero(cover == 0)} "
                f"uncovered, {np.count_nonzero(cover > 1)} covered more than once"
            )

    @property
    def n_arrays(self) -> int:
        """Number of physical arrays used."""
        return len({slot.array_index for slot in self.slots})


@dataclass(frozen=True, eq=False)
class Tile:
    """One block of conductances ready to program onto one array."""

    slot: TileSlot
    """Array index, weight rows/cols held and (row0, col0) on the array."""
    g_us: FloatArray
    """Device-level conductances, uS, shape ``slot.device_shape``: even columns G+, odd G-."""


def plan_tiles(weight_shape: Sequence[int], array_rows: int, array_cols: int) -> Placement:
    """Cut a weight matrix into blocks of at most ``array_rows`` x ``array_cols // 2`` weights.

    Blocks go one per array, at the array's origin (row0 = col0 = 0), numbered row-block major
    (all column blocks of the first rows first). An odd ``array_cols`` leaves its last device
    column unused.

    Raises:
        ValueError: on non-positive sizes or ``array_cols < 2``.
    """
    rows, cols = _shape2("weight_shape", weight_shape)
    array_rows = _positive_int("array_rows", array_rows)
    array_cols = _positive_int("array_cols", array_cols, 2)
    weight_cols_per_array = array_cols // 2
    starts = [
        (r0, c0)
        for r0 in range(0, rows, array_rows)
        for c0 in range(0, cols, weight_cols_per_array)
    ]
    slots = tuple(
        TileSlot(
            array_index=index,
            weight_rows=(r0, min(r0 + array_rows, rows)),
            weight_cols=(c0, min(c0 + weight_cols_per_array, cols)),
        )
        for index, (r0, c0) in enumerate(starts)
    )
    return Placement((rows, cols), array_rows, array_cols, slots)


def interleave(g_plus_us: FloatArray, g_minus_us: FloatArray) -> FloatArray:
    """Device-level matrix (rows, 2 * cols): column 2j is G+ of weight column j, 2j + 1 is G-."""
    g_us = np.empty((g_plus_us.shape[0], 2 * g_plus_us.shape[1]), dtype=np.float64)
    g_us[:, 0::2] = g_plus_us
    g_us[:, 1::2] = g_minus_us
    return g_us


def tile(mapped: MappedWeights, array_rows: int, array_cols: int) -> list[Tile]:
    """Split mapped conductances over arrays of ``array_rows`` x ``array_cols`` devices.

    An array of 64 x 128 devices holds 64 x 64 weights. The placement is
    ``plan_tiles(mapped.shape, array_rows, array_cols)``; tile ``i`` has its ``slots[i]``.

    Returns:
        One :class:`Tile` per block, in placement order.
    """
    placement = plan_tiles(mapped.shape, array_rows, array_cols)
    device_us = interleave(mapped.g_plus_us, mapped.g_minus_us)
    tiles = []
    for slot in placement.slots:
        (r0, r1), (c0, c1) = slot.weight_rows, slot.weight_cols
        tiles.append(Tile(slot=slot, g_us=device_us[r0:r1, 2 * c0 : 2 * c1].copy()))
    return tiles


def untile(
    tiles_read_back: Sequence[Tile | ArrayLike], placement: Placement
) -> tuple[FloatArray, FloatArray]:
    """Reassemble full G+ and G- matrices from per-tile conductances.

    Args:
        tiles_read_back: One entry per ``placement.slots`` entry, in order: a :class:`Tile`, a
            device-level block of shape ``slot.device_shape``, or a whole-array read-out of shape
            (array_rows, array_cols) from which the slot's region is cut. Values in uS.
        placement: The placement the tiles were programmed with.

    Returns:
        (G+, G-) in uS, each of shape ``placement.weight_shape``.

    Raises:
        ValueError: on a wrong tile count or shape, or NaN, infinite or negative values.
    """
    if len(tiles_read_back) != len(placement.slots):
        raise ValueError(
            f"expected {len(placement.slots)} tiles for the placement, got {len(tiles_read_back)}"
        )
    g_plus_us = np.empty(placement.weight_shape, dtype=np.float64)
    g_minus_us = np.empty(placement.weight_shape, dtype=np.float64)
    whole_array = (placement.array_rows, placement.array_cols)
    for index, (item, slot) in enumerate(zip(tiles_read_back, placement.slots, strict=True)):
        name = f"tile {index}"
        g_us = _as_float_array(name, item.g_us if isinstance(item, Tile) else item)
        n_rows, n_cols = slot.device_shape
        if g_us.shape == whole_array:
            g_us = g_us[slot.row0 : slot.row0 + n_rows, slot.col0 : slot.col0 + n_cols]
        elif g_us.shape != (n_rows, n_cols):
            raise ValueError(
                f"{name} (array {slot.array_index}) has shape {g_us.shape}; expected the block "
                f"{(n_rows, n_cols)} or the whole array {whole_array}"
            )
        _check_non_negative(name, g_us)
        (r0, r1), (c0, c1) = slot.weight_rows, slot.weight_cols
        g_plus_us[r0:r1, c0:c1] = g_us[:, 0::2]
        g_minus_us[r0:r1, c0:c1] = g_us[:, 1::2]
    return g_plus_us, g_minus_us


# --------------------------------------------------------------------------------------------
# Convolution kernels
# --------------------------------------------------------------------------------------------


def conv_to_matrix(kernel: ArrayLike) -> FloatArray:
    """Flatten a torch-style conv kernel into a crossbar weight matrix (im2col order).

    Row ``r`` of the result is ``(c, i, j)`` with ``r = (c * kh + i) * kw + j``: input channel
    major, then kernel row, then kernel column, the order of ``torch.nn.functional.unfold``'s
    patch vectors: ``unfold(x)[0].T @ matrix`` is the convolution, shape (positions, out_ch).

    Args:
        kernel: Shape (out_channels, in_channels, kh, kw).

    Returns:
        Matrix of shape (in_channels * kh * kw, out_channels).

    Raises:
        ValueError: unless ``kernel`` is a finite, non-empty 4-D array.
    """
    k = _as_float_array("kernel", kernel)
    if k.ndim != 4:
        raise ValueError(
            f"kernel must be 4-D (out_channels, in_channels, kh, kw), got shape {k.shape}"
        )
    if k.size == 0:
        raise ValueError(f"kernel must not be empty, got shape {k.shape}")
    return np.ascontiguousarray(k.reshape(k.shape[0], -1).T)


def matrix_to_conv(matrix: ArrayLike, kernel_shape: Sequence[int]) -> FloatArray:
    """Inverse of :func:`conv_to_matrix`.

    Args:
        matrix: Shape (in_channels * kh * kw, out_channels).
        kernel_shape: (out_channels, in_channels, kh, kw) of the kernel to rebuild.

    Returns:
        Kernel of shape ``kernel_shape``.

    Raises:
        ValueError: if the shapes do not agree or ``matrix`` is not a finite 2-D matrix.
    """
    m = _as_matrix("matrix", matrix)
    shape = tuple(kernel_shape)
    if len(shape) != 4:
        raise ValueError(
            f"kernel_shape must be (out_channels, in_channels, kh, kw), got {kernel_shape}"
        )
    out_ch, in_ch, kh, kw = (_positive_int("kernel_shape entry", n) for n in shape)
    if m.shape != (in_ch * kh * kw, out_ch):
        raise ValueError(
            f"matrix of shape {m.shape} does not fit kernel shape {shape}: expected "
            f"{(in_ch * kh * kw, out_ch)}"
        )
    return np.ascontiguousarray(m.T.reshape(out_ch, in_ch, kh, kw))
